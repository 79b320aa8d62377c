#pragma once
// core/serve: `portraitseg serve`: a trained model behind an HTTP service (rembg-compatible /api/remove, JSON
// /v1/segment, the model's metadata and file, health, Prometheus metrics) and a web page, with a bounded queue in
// front of the inference workers. docs/serve.md is the API's reference.
#include <string>

#include "core/infer/engine_registry.h"  // engine_list(), for the CLI's help

namespace pseg {

struct ServeOptions {
  std::string model;               // .ckpt, .pt or .onnx
  std::string host = "127.0.0.1";  // loopback unless told otherwise
  int port = 8080;                 // 0 = any free port (the one chosen is printed)
  int workers = 1;                 // inference workers, each with its own copy of the model
  double max_upload_mb = 20;       // larger request bodies: 413
  double max_pixels = 40e6;        // larger images: 422
  int queue = 64;                  // requests that may wait for a worker; one more: 503 with Retry-After
  double timeout_s = 30;           // a request not answered by then: 504
  std::string cors;                // Access-Control-Allow-Origin for other pages' scripts; "" = same origin only
  std::string web_runtime;         // onnxruntime-web's dist/ folder: the page's in-browser live mode; "" = off
  std::string device = "cpu";
  std::string interpolation = "auto";
  int threads = 0;                 // intra-op threads of each worker's inferences (--threads); 0 = the usable cores
};

// Checks the options (std::invalid_argument naming the option), opens the model once per worker
// (std::runtime_error naming the file), binds (std::runtime_error naming the address), prints
// "listening on http://HOST:PORT" on stdout, and serves until SIGTERM or SIGINT: then it stops accepting,
// finishes the requests in flight and returns 0.
int run_serve(const ServeOptions& options);

}  // namespace pseg
