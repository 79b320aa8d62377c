#include "core/serve/serve_job.h"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>

#include "core/common/interrupt.h"
#include "core/common/runtime.h"
#include "core/serve/http_service.h"
#include "data/image_io.h"

namespace pseg {
namespace fs = std::filesystem;
namespace {

// What the page's in-browser mode loads from onnxruntime-web's dist/ folder: the WASM build and its loader.
const char* const kRuntimeFiles[] = {"ort.wasm.min.js", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"};

void check(const ServeOptions& o) {
  const auto bad = [](const std::string& option, const std::string& why) {
    throw std::invalid_argument(option + ": " + why);
  };
  if (o.port < 0 || o.port > 65535) bad("--port " + std::to_string(o.port), "expected 0..65535 (0 = any free port)");
  if (o.workers < 1 || o.workers > 64) bad("--workers " + std::to_string(o.workers), "expected 1..64");
  if (o.queue < 1 || o.queue > 100000) bad("--queue " + std::to_string(o.queue), "expected 1..100000");
  if (!(o.max_upload_mb > 0 && o.max_upload_mb <= 4096)) bad("--max-upload-mb", "expected a size in (0, 4096] MB");
  if (!(o.max_pixels >= 1 && o.max_pixels <= static_cast<double>(kMaxImagePixels)))
    bad("--max-pixels", "expected 1.." + std::to_string(kMaxImagePixels) + " pixels");
  if (!(o.timeout_s > 0 && o.timeout_s <= 3600)) bad("--timeout-s", "expected (0, 3600] seconds");
  if (o.host.empty()) bad("--host", "expected an address such as 127.0.0.1");
  if (o.cors.find_first_of("\r\n") != std::string::npos) bad("--cors", "expected an origin such as * or https://a.b");
}

std::map<std::string, std::string> load_runtime(const std::string& dir) {
  std::map<std::string, std::string> files;
  if (dir.empty()) return files;
  if (!fs::is_directory(dir)) throw std::invalid_argument("--web-runtime " + dir + ": not a directory");
  for (const char* name : kRuntimeFiles) {
    const fs::path path = fs::path(dir) / name;
    const std::vector<unsigned char> bytes = read_file_bytes(path.string());
    files[name] = std::string(bytes.begin(), bytes.end());
  }
  return files;
}

}  // namespace

int run_serve(const ServeOptions& options) {
  check(options);
  PredictorOptions po;
  po.device = options.device;
  po.interpolation = parse_resize_interpolation(options.interpolation);
  // Each worker thread runs its copy on --threads: without it, a worker thread's OpenMP count would be OpenMP's
  // default (every core), not the one the process set on its main thread.
  po.threads = intra_op_thread_count(options.threads);
  std::vector<std::unique_ptr<Predictor>> predictors;
  for (int i = 0; i < options.workers; ++i) {
    predictors.push_back(open_predictor(options.model, po));
    // One run before the first request: an engine's first inference sets up its buffers and kernels (OpenCV DNN:
    // about 3x a normal run), which would otherwise land on the first client.
    const ModelMeta& m = predictors.back()->meta();
    predictors.back()->predict(cv::Mat(static_cast<int>(m.height), static_cast<int>(m.width), CV_8UC3,
                                       cv::Scalar::all(128)));
  }
  const std::string engine = predictors.front()->engine();
  auto pool = std::make_unique<WorkerPool>(std::move(predictors), static_cast<size_t>(options.queue));
  HttpService service(options, std::move(pool), load_runtime(options.web_runtime));
  const int port = service.bind();

  std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up is a failed write, not the end of the server
  install_interrupt_handlers();
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done && !stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (stop_requested()) {
      spdlog::info("signal {}: no new connections; finishing the requests in flight", stop_signal());
      service.stop();
    }
  });
  spdlog::info("serving {} ({}) with {} worker(s), queue {}", options.model, engine, options.workers,
               options.queue);
  std::cout << "listening on http://" << options.host << ":" << port << std::endl;
  const bool listened = service.listen();
  done = true;
  watcher.join();
  if (!listened && !stop_requested()) throw std::runtime_error("the server's listening socket failed");
  spdlog::info("stopped");
  return 0;
}

}  // namespace pseg
