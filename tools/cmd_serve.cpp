// portraitseg serve: a trained model behind an HTTP service and a web page. Logic lives in core/serve.
#include "core/serve/serve_job.h"
#include "tools/command.h"

namespace pseg::cli {

void register_serve(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ServeOptions>();
  auto* sub = add_command(app, "serve");
  sub->add_option("--model", o->model, "model file: " + engine_list())->required()->check(CLI::ExistingFile);
  sub->add_option("--host", o->host, "address to listen on (default 127.0.0.1: this machine only)");
  sub->add_option("--port", o->port, "TCP port (default 8080; 0 = any free port, printed)");
  sub->add_option("--workers", o->workers, "inference workers, each with its own copy of the model (default 1)");
  sub->add_option("--max-upload-mb", o->max_upload_mb, "largest request body in MB (default 20; larger: 413)");
  sub->add_option("--max-pixels", o->max_pixels, "largest image in pixels (default 40e6; larger: 422)");
  sub->add_option("--queue", o->queue, "requests that may wait for a worker (default 64; one more: 503)");
  sub->add_option("--timeout-s", o->timeout_s, "deadline of a request in seconds (default 30; then 504)");
  sub->add_option("--cors", o->cors, "Access-Control-Allow-Origin for pages on other origins, e.g. '*'");
  sub->add_option("--web-runtime", o->web_runtime,
                  "onnxruntime-web's dist/ folder (npm install onnxruntime-web): the page runs the model in the "
                  "browser in live mode");
  sub->add_option("--interpolation", o->interpolation, "resize to the model's input: auto (default), area, linear, cubic")
      ->check(CLI::IsMember({"auto", "area", "linear", "cubic"}));
  add_runtime_options(sub, ctx);
  sub->callback([o, &ctx] {
    ctx.run = [o, &ctx] {
      o->device = ctx.runtime.device;
      o->threads = ctx.runtime.threads;
      return run_serve(*o);
    };
  });
}

}  // namespace pseg::cli
