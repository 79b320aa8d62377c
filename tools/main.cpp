// portraitseg-torch: every command, with LibTorch. Users run `portraitseg` (tools/launcher.cpp), which hands it
// every invocation it cannot serve without LibTorch.
// Exit codes: 0 success, 2 usage/config error, 1 runtime failure.
#include "core/torch_runtime/torch_runtime.h"
#include "tools/command.h"

int main(int argc, char** argv) {
  pseg::cli::start_process();
  CLI::App app;
  pseg::cli::configure_app(app);
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
  return pseg::cli::run_command(ctx, pseg::apply_runtime);
}
