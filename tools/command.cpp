#include "tools/command.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <stdexcept>

#include "core/common/error_report.h"
#include "portraitseg/version.h"

namespace pseg::cli {

const std::vector<CommandInfo>& command_list() {
  static const std::vector<CommandInfo> commands = {
      {"info", "Build a net, run one forward pass, report shapes, parameters and MACs"},
      {"data", "Open the configured datasets and report on them"},
      {"synth", "Write a synthetic portrait dataset (images/, masks/, train.txt, test.txt)"},
      {"bench", "Benchmark inference, training or data loading"},
      {"export", "Export a checkpoint to TorchScript and ONNX, verified against the eager model"},
      {"train", "Train a net from a JSON config (or resume a run)"},
      {"import", "Import trained reference weights (ONNX, Keras HDF5) into a checkpoint"},
      {"test", "Cut the person out of photos: mask, cut-out, new or blurred background"},
      {"video", "Segment a video: background replaced, blurred, or the mask"},
      {"eval", "Measure mIOU of a model (.ckpt, .pt or .onnx) on a test set"},
      {"serve", "Serve a model over HTTP: background removal API and a web page"},
  };
  return commands;
}

CLI::App* add_command(CLI::App& app, const std::string& name) {
  for (const CommandInfo& c : command_list())
    if (c.name == name) return app.add_subcommand(c.name, c.summary);
  throw std::logic_error("command " + name + " is missing from command_list()");
}

void start_process() {
  keep_freed_memory_for_reuse();
  // Logs go to stderr so that stdout carries only results (--json output can be piped).
  spdlog::set_default_logger(spdlog::stderr_color_mt("portraitseg"));
}

void configure_app(CLI::App& app) {
  app.description("portraitseg: train, evaluate, export and run real-time portrait segmentation networks");
  app.require_subcommand(1);
  app.set_version_flag("--version", "portraitseg " PORTRAITSEG_VERSION);
}

int run_command(const Context& ctx, const std::function<void(const RuntimeOptions&)>& apply_runtime) {
  try {
    apply_runtime(ctx.runtime);
    return ctx.run ? ctx.run() : 2;
  } catch (...) {
    const ErrorReport error = current_error_report();
    std::cerr << "error: " << error.message << "\n";
    return error.exit_code;
  }
}

void add_runtime_options(CLI::App* sub, Context& ctx) {
  sub->add_option("--threads", ctx.runtime.threads,
                  "threads per operation: LibTorch, oneDNN (OpenMP) and OpenCV (default: the cores it may run on)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--device", ctx.runtime.device, "cpu, cuda or cuda:INDEX (default cpu)");
  sub->add_option("--log-level", ctx.runtime.log_level, "trace, debug, info, warn, error or off (default info)");
  sub->add_flag("--quiet", ctx.runtime.quiet, "only warnings and errors on stderr");
}

std::pair<int64_t, int64_t> parse_size_hw(const std::string& s) {
  const auto x = s.find('x');
  const auto number = [](const std::string& t) -> int64_t {
    if (t.empty() || t.size() > 6 || t.find_first_not_of("0123456789") != std::string::npos) return 0;
    return std::stoll(t);
  };
  const int64_t h = number(s.substr(0, x));
  const int64_t w = x == std::string::npos ? h : number(s.substr(x + 1));
  if (h > 0 && w > 0) return {h, w};
  throw std::invalid_argument("--size: expected HxW (height x width, as a config's input_size [H, W]) or S for a "
                              "square, positive integers, e.g. 800x600 for 600 wide and 800 high; got \"" + s + "\"");
}

void print_line(const std::string& s) { std::cout << s << std::endl; }

}  // namespace pseg::cli
