// portraitseg: one binary for training, evaluating, exporting and running portrait segmentation nets.
// Exit codes: 0 success, 2 usage/config error, 1 runtime failure.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "core/common/error_report.h"
#include "core/common/runtime.h"
#include "portraitseg/version.h"
#include "tools/command.h"

int main(int argc, char** argv) {
  pseg::keep_freed_memory_for_reuse();
  // Logs go to stderr so that stdout carries only results (--json output can be piped).
  spdlog::set_default_logger(spdlog::stderr_color_mt("portraitseg"));
  CLI::App app{"portraitseg: train, evaluate, export and run real-time portrait segmentation networks"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "portraitseg " PORTRAITSEG_VERSION);
  pseg::cli::Context ctx;
  pseg::cli::register_info(app, ctx);
  pseg::cli::register_data(app, ctx);
  pseg::cli::register_synth(app, ctx);
  pseg::cli::register_bench(app, ctx);
  pseg::cli::register_export(app, ctx);
  pseg::cli::register_train(app, ctx);
  pseg::cli::register_import(app, ctx);
  pseg::cli::register_test(app, ctx);
  pseg::cli::register_video(app, ctx);
  pseg::cli::register_eval(app, ctx);
  pseg::cli::register_serve(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    pseg::apply_runtime(ctx.runtime);
    return ctx.run ? ctx.run() : 2;
  } catch (...) {
    const pseg::ErrorReport error = pseg::current_error_report();
    std::cerr << "error: " << error.message << "\n";
    return error.exit_code;
  }
}
