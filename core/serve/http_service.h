#pragma once
// The routes of `portraitseg serve` on cpp-httplib: uploads in, worker pool answers out, errors as one-line JSON,
// one log line and one metrics record per request.
#include <map>
#include <memory>
#include <string>

#include "core/serve/serve_job.h"
#include "core/serve/worker_pool.h"

namespace pseg {

class HttpService {
 public:
  // `runtime_files`: onnxruntime-web's files by name, served under /ort/ (empty: no in-browser mode).
  HttpService(const ServeOptions& options, std::unique_ptr<WorkerPool> pool,
              std::map<std::string, std::string> runtime_files);
  ~HttpService();
  // Binds to the options' host and port (0: any free one); returns the port. Throws std::runtime_error.
  int bind();
  // Serves until stop(); returns once the requests in flight are answered. False when the listening socket failed.
  bool listen();
  // Stops accepting (safe from another thread); /healthz answers 503 from now on.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pseg
