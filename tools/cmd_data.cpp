// portraitseg data: open the configured dataset sources and report pairs, rejections, sizes and foreground.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/datasets/data_job.h"
#include "tools/command.h"

namespace pseg::cli {
namespace {

struct DataArgs {
  std::string config;
  std::vector<std::string> sets;
  bool json = false;
  std::string preview;
  size_t preview_count = 8;
};

void add_data_options(CLI::App* sub, DataArgs& a) {
  sub->add_option("--config", a.config, "JSON config with a data section")->required()->check(CLI::ExistingFile);
  sub->add_option("--set", a.sets, "override a value: key.path=VALUE (e.g. data.on_error=skip)");
  sub->add_flag("--json", a.json, "print exactly one JSON object keyed by split");
  sub->add_option("--preview", a.preview, "also write a grid of augmented training examples to this image file");
  sub->add_option("--preview-count", a.preview_count, "examples in the preview (default 8)")->check(CLI::PositiveNumber);
}

void print_split(const char* name, const SplitReport& r) {
  std::printf("%s: %zu pairs, %zu samples per epoch, %zu rejected\n", name, r.pairs, r.samples, r.rejected.size());
  for (const auto& s : r.sources) {
    std::printf("  %s (weight %g): %zu pairs, %zu rejected", s.name.c_str(), s.weight, s.pairs, s.rejected);
    if (s.pairs)
      std::printf(", images %dx%d..%dx%d, foreground %.3f", s.min_size.width, s.min_size.height, s.max_size.width,
                  s.max_size.height, s.mean_foreground);
    std::printf("\n");
  }
  for (const auto& x : r.rejected) std::printf("  rejected %s\n", x.reason.c_str());
}

int run_data(const DataArgs& a) {
  const DatasetReport report = pseg::run_data({a.config, a.sets, a.preview, a.preview_count});
  if (a.json) {
    print_line(to_json(report).dump());
    return 0;
  }
  print_split("train", report.train);
  print_split(report.held_out ? "test (held out of train)" : "test", report.test);
  return 0;
}

}  // namespace

void register_data(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<DataArgs>();
  auto* sub = add_command(app, "data");
  add_data_options(sub, *args);
  add_runtime_options(sub, ctx);
  sub->callback([args, &ctx] { ctx.run = [args] { return run_data(*args); }; });
}

}  // namespace pseg::cli
