// portraitseg: the command users run. LibTorch's start-up alone takes 0.4 s (its operator registry), more than a
// one-photo `test` with an ONNX model needs in all, so this binary does not link it: it prints the top-level help
// and version, runs `test` itself when an engine built in here (OpenCV DNN) runs the model, and hands every other
// invocation, unchanged, to portraitseg-torch in the same process (exec). docs/architecture.md, "Two binaries".
// Exit codes: 0 success, 2 usage/config error, 1 runtime failure.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>

#include "tools/command.h"
#include "tools/helper_path.h"

namespace {

namespace fs = std::filesystem;

[[noreturn]] void run_portraitseg_torch(char** argv) {
  const std::optional<fs::path> full = pseg::cli::find_helper("portraitseg-torch", argv[0]);
  if (!full) {
    std::cerr << "error: " << pseg::cli::helper_not_found("portraitseg-torch", argv[0]) << "\n";
    std::exit(1);
  }
  execv(full->c_str(), argv);
  std::cerr << "error: cannot start " << full->string() << ": " << std::strerror(errno) << "\n";
  std::exit(1);
}

// `test` without LibTorch, when it parses and every model it names runs here; nothing otherwise, and
// portraitseg-torch then parses it again and reports any error with all its engines.
std::optional<int> run_test_here(int argc, char** argv) {
  CLI::App app;
  pseg::cli::configure_app(app);
  pseg::cli::Context ctx;
  pseg::cli::register_test(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError&) {
    return std::nullopt;
  }
  if (!ctx.runs_here || !ctx.runs_here()) return std::nullopt;
  return pseg::cli::run_command(ctx, pseg::apply_process_options);
}

}  // namespace

int main(int argc, char** argv) {
  pseg::cli::start_process();
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "test") {
    if (const std::optional<int> rc = run_test_here(argc, argv)) return *rc;
    run_portraitseg_torch(argv);
  }
  for (const pseg::cli::CommandInfo& c : pseg::cli::command_list())
    if (c.name == command) run_portraitseg_torch(argv);
  CLI::App app;
  pseg::cli::configure_app(app);
  for (const pseg::cli::CommandInfo& c : pseg::cli::command_list()) app.add_subcommand(c.name, c.summary);
  // No command, --help, --version or an unknown word: answered here as portraitseg-torch would.
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  run_portraitseg_torch(argv);
}
