#include "core/serve/http_service.h"

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <sstream>

#include "core/common/stopwatch.h"
#include "core/infer/effects.h"
#include "core/infer/image_format.h"
#include "core/serve/base64.h"
#include "core/serve/metrics.h"
#include "core/serve/render.h"
#include "core/serve/request_options.h"
#include "core/serve/web_assets.h"
#include "portraitseg/version.h"

namespace pseg {
namespace {

using Clock = std::chrono::steady_clock;

// An answer made on a worker and written by the HTTP thread.
struct Reply {
  int status = 200;
  std::string content_type;
  std::string body;
  httplib::Headers headers;
};

Reply json_reply(int status, const nlohmann::json& j) { return {status, "application/json", j.dump() + "\n", {}}; }

Reply error_reply(int status, const std::string& message) {
  return json_reply(status, {{"error", message}, {"status", status}});
}

void write(const Reply& reply, httplib::Response& res) {
  res.status = reply.status;
  for (const auto& [k, v] : reply.headers) res.set_header(k.c_str(), v);
  res.set_content(reply.body, reply.content_type.c_str());
}

// The image and options of a request: the body itself, or a multipart form whose "file" is the image.
struct Upload {
  std::string image;
  std::string background;
  bool background_file = false;
  RequestFields fields;
};

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

Upload read_upload(const httplib::Request& req) {
  Upload u;
  for (const auto& [k, v] : req.params) u.fields[k] = v;
  if (req.is_multipart_form_data()) {
    bool has_image = false;
    for (const auto& [name, part] : req.files) {
      if (name == "file") {
        u.image = part.content;
        has_image = true;
      } else if (name == "background" && !part.filename.empty()) {
        u.background = part.content;
        u.background_file = true;
      } else {
        u.fields[name] = part.content;
      }
    }
    if (!has_image) throw HttpError(400, "the multipart form has no \"file\" field (the image)");
    return u;
  }
  const std::string type = req.get_header_value("Content-Type");
  if (!type.empty() && !starts_with(type, "image/") && !starts_with(type, "application/octet-stream"))
    throw HttpError(415, "Content-Type \"" + type +
                             "\": send the image as the body (image/*, application/octet-stream) or as the "
                             "multipart/form-data field \"file\"");
  if (req.body.empty())
    throw HttpError(400, "empty body: send the image as the body or as the multipart/form-data field \"file\"");
  u.image = req.body;
  return u;
}

std::string server_timing(const std::vector<std::pair<std::string, double>>& stages) {
  std::ostringstream out;
  out.precision(3);
  out << std::fixed;
  for (size_t i = 0; i < stages.size(); ++i)
    out << (i ? ", " : "") << stages[i].first << ";dur=" << stages[i].second;
  return out.str();
}

nlohmann::json timing_json(const std::vector<std::pair<std::string, double>>& stages) {
  nlohmann::json j = nlohmann::json::object();
  double total = 0;
  for (const auto& [name, ms] : stages) {
    j[name] = ms;
    total += ms;
  }
  j["total"] = total;
  return j;
}

// The metrics label of a path: one of the fixed routes, so that no request can grow the label set.
std::string route_of(const std::string& path) {
  static const std::vector<std::string> routes = {"/api/remove", "/v1/segment", "/v1/model", "/v1/model.onnx",
                                                  "/healthz", "/metrics"};
  for (const auto& r : routes)
    if (path == r) return r;
  if (starts_with(path, "/ort/")) return "/ort/";
  for (const auto& asset : web_assets())
    if (path == asset.path) return "page";
  return "other";
}

// Per HTTP thread: when the request it is answering arrived (set before routing, read by the logger).
thread_local std::optional<Clock::time_point> t_request_start;

}  // namespace

struct HttpService::Impl {
  ServeOptions options;
  std::unique_ptr<WorkerPool> pool;
  std::map<std::string, std::string> runtime_files;
  std::string onnx_bytes;  // the model file, when it is ONNX (/v1/model.onnx)
  std::string model_name;
  httplib::Server server;
  ServeMetrics metrics;
  std::atomic<size_t> in_flight{0};
  std::atomic<bool> draining{false};

  // Runs `work` on a worker within the request's deadline: 503 when the queue is full, 504 when the deadline
  // passes first (a task still queued then is dropped; one running finishes and its answer is discarded).
  Reply on_worker(std::function<Reply(Predictor&)> work) {
    const auto queued_at = Clock::now();
    const auto deadline = queued_at + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(options.timeout_s));
    auto promise = std::make_shared<std::promise<Reply>>();
    std::future<Reply> answer = promise->get_future();
    const bool accepted = pool->submit([promise, work = std::move(work), deadline, queued_at](Predictor& p) {
      if (Clock::now() > deadline) return promise->set_value(error_reply(504, "the request waited past its deadline"));
      const double queue_ms = ms_since(queued_at);
      try {
        Reply reply = work(p);
        reply.headers.emplace("X-Queue-Ms", std::to_string(queue_ms));
        promise->set_value(std::move(reply));
      } catch (const HttpError& e) {
        promise->set_value(error_reply(e.status, e.what()));
      } catch (const std::exception& e) {
        promise->set_value(error_reply(500, e.what()));
      }
    });
    if (!accepted) {
      Reply busy = error_reply(503, "the server is busy: " + std::to_string(pool->capacity()) +
                                        " requests are already waiting; retry shortly");
      busy.headers.emplace("Retry-After", "1");
      return busy;
    }
    if (answer.wait_until(deadline) != std::future_status::ready) {
      std::ostringstream text;
      text << "no answer within the server's timeout of " << options.timeout_s << " s";
      return error_reply(504, text.str());
    }
    return answer.get();
  }

  Reply remove(const httplib::Request& req) {
    Upload upload = read_upload(req);
    const RemoveOptions o = parse_remove_options(upload.fields, upload.background_file);
    return on_worker([this, upload = std::move(upload), o](Predictor& p) {
      auto t0 = Clock::now();
      PhotoDecodeOptions decode;
      decode.keep_full = o.effect != ServeEffect::Mask;
      const DecodedPhoto photo = decode_upload_photo(upload.image, "file", options.max_pixels, p, decode);
      const cv::Mat background =
          o.background_image ? decode_upload(upload.background, "background", options.max_pixels) : cv::Mat();
      const double decode_ms = ms_since(t0);
      const Prediction prediction = p.predict(photo.for_net, cv::Mat(), photo.size);
      t0 = Clock::now();
      const cv::Mat image =
          render_remove(photo.full, prediction.probability, o, o.threshold.value_or(p.meta().threshold), background);
      const double effects_ms = ms_since(t0);
      t0 = Clock::now();
      Reply reply{200, content_type_of(o.format), encode_image(image, o.format, o.png), {}};
      const double encode_ms = ms_since(t0);
      reply.headers.emplace("Server-Timing", server_timing({{"decode", decode_ms},
                                                            {"preprocess", prediction.timing.preprocess_ms},
                                                            {"inference", prediction.timing.inference_ms},
                                                            {"postprocess", prediction.timing.postprocess_ms},
                                                            {"effects", effects_ms},
                                                            {"encode", encode_ms}}));
      return reply;
    });
  }

  Reply segment(const httplib::Request& req) {
    Upload upload = read_upload(req);
    if (upload.background_file) throw HttpError(400, "/v1/segment takes no background file");
    const SegmentOptions o = parse_segment_options(upload.fields);
    return on_worker([this, upload = std::move(upload), o](Predictor& p) {
      auto t0 = Clock::now();
      const DecodedPhoto photo = decode_upload_photo(upload.image, "file", options.max_pixels, p, {});
      const double decode_ms = ms_since(t0);
      const Prediction prediction = p.predict(photo.for_net, cv::Mat(), photo.size);
      t0 = Clock::now();
      const cv::Mat& probability = prediction.probability;
      const float threshold = o.threshold.value_or(p.meta().threshold);
      nlohmann::json j = {{"model", model_name},
                          {"engine", p.engine()},
                          {"width", photo.size.width},
                          {"height", photo.size.height},
                          {"threshold", threshold},
                          {"foreground", foreground_fraction(probability, threshold)},
                          {"mask", base64_encode(encode_image(to_mask8(probability), ImageFormat::Png))}};
      if (o.probability) {
        const cv::Mat p32 = probability.isContinuous() ? probability : probability.clone();
        j["probability"] = base64_encode(std::string(reinterpret_cast<const char*>(p32.data),
                                                     p32.total() * sizeof(float)));
      }
      j["timing_ms"] = timing_json({{"decode", decode_ms},
                                    {"preprocess", prediction.timing.preprocess_ms},
                                    {"inference", prediction.timing.inference_ms},
                                    {"postprocess", prediction.timing.postprocess_ms},
                                    {"encode", ms_since(t0)}});
      return json_reply(200, j);
    });
  }

  nlohmann::json model_json() const {
    const Predictor& p = pool->model();
    return {{"name", model_name},
            {"engine", p.engine()},
            {"server", "portraitseg " PORTRAITSEG_VERSION},
            {"metadata", to_json(p.meta())},
            {"onnx_available", !onnx_bytes.empty()},
            {"browser_runtime", !runtime_files.empty()},
            {"limits",
             {{"max_upload_mb", options.max_upload_mb},
              {"max_pixels", options.max_pixels},
              {"queue", options.queue},
              {"workers", options.workers},
              {"timeout_s", options.timeout_s}}}};
  }

  std::string metrics_text() const {
    ServeGauges g;
    g.queue_depth = pool->queued();
    g.queue_capacity = pool->capacity();
    g.in_flight = in_flight.load();
    g.workers = pool->workers();
    g.workers_busy = pool->busy();
    g.worker_busy_seconds = pool->busy_seconds();
    g.resident_bytes = resident_memory_bytes();
    return metrics.prometheus_text(g);
  }

  // Catches what a handler throws and turns it into the JSON error.
  void route(httplib::Response& res, const std::function<Reply()>& handler) {
    try {
      write(handler(), res);
    } catch (const HttpError& e) {
      write(error_reply(e.status, e.what()), res);
    } catch (const std::exception& e) {
      write(error_reply(500, e.what()), res);
    }
  }

  void add_routes() {
    server.Post("/api/remove", [this](const httplib::Request& req, httplib::Response& res) {
      route(res, [&] { return remove(req); });
    });
    server.Post("/v1/segment", [this](const httplib::Request& req, httplib::Response& res) {
      route(res, [&] { return segment(req); });
    });
    server.Get("/v1/model", [this](const httplib::Request&, httplib::Response& res) {
      write(json_reply(200, model_json()), res);
    });
    server.Get("/v1/model.onnx", [this](const httplib::Request&, httplib::Response& res) {
      if (onnx_bytes.empty())
        return write(error_reply(404, "the served model is not an ONNX file: serve an exported .onnx model to "
                                      "run it in the browser"),
                     res);
      res.set_header("Content-Disposition", "attachment; filename=\"" + model_name + ".onnx\"");
      res.set_content(onnx_bytes, "application/octet-stream");
    });
    server.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
      if (draining) return write(json_reply(503, {{"status", "draining"}}), res);
      write(json_reply(200, {{"status", "ok"}, {"model", model_name}}), res);
    });
    server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics_text(), "text/plain; version=0.0.4");
    });
    for (const auto& asset : web_assets()) {
      server.Get(asset.path, [&asset](const httplib::Request&, httplib::Response& res) {
        res.set_content(reinterpret_cast<const char*>(asset.data), asset.size, asset.content_type.c_str());
      });
    }
    // onnxruntime-web's files, from memory by exact name: no request path ever reaches the file system.
    server.Get("/ort/([A-Za-z0-9._-]+)", [this](const httplib::Request& req, httplib::Response& res) {
      const auto it = runtime_files.find(req.matches[1].str());
      if (it == runtime_files.end()) return write(error_reply(404, "no such file: " + req.path), res);
      const bool wasm = it->first.size() > 5 && it->first.compare(it->first.size() - 5, 5, ".wasm") == 0;
      res.set_content(it->second, wasm ? "application/wasm" : "text/javascript; charset=utf-8");
    });
    if (!options.cors.empty()) {
      server.Options(".*", [](const httplib::Request&, httplib::Response& res) {
        res.status = 204;
        res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        res.set_header("Access-Control-Allow-Headers", "Content-Type");
        res.set_header("Access-Control-Max-Age", "600");
      });
    }
  }

  void configure() {
    const size_t threads = static_cast<size_t>(options.workers + options.queue) + 8;
    // Enough HTTP threads that a request beyond the queue is answered 503 at once rather than waiting unseen.
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    // SO_REUSEADDR only: the library's default also sets SO_REUSEPORT, which lets a second server bind the same
    // port silently and share its connections.
    server.set_socket_options([](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
    });
    server.set_payload_max_length(static_cast<size_t>(options.max_upload_mb * 1024 * 1024));
    // Headers and body are separate writes: without TCP_NODELAY, Nagle's algorithm and the client's delayed ACK
    // add up to 40 ms to every answer on a kept-alive connection.
    server.set_tcp_nodelay(true);
    server.set_keep_alive_timeout(2);
    server.set_keep_alive_max_count(1000);
    httplib::Headers headers = {{"X-Content-Type-Options", "nosniff"}};
    if (!options.cors.empty()) {
      headers.emplace("Access-Control-Allow-Origin", options.cors);
      headers.emplace("Access-Control-Expose-Headers", "Server-Timing, X-Queue-Ms");
    }
    server.set_default_headers(headers);
    server.set_pre_routing_handler([this](const httplib::Request&, httplib::Response&) {
      t_request_start = Clock::now();
      ++in_flight;
      return httplib::Server::HandlerResponse::Unhandled;
    });
    // Statuses the library sets itself (404, 413, 400 for a malformed request) get the same JSON body.
    server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req,
                                                                     httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      std::string message = "no such route: " + req.method + " " + req.path;
      if (res.status == 413) message = "the upload is over the server's limit";
      else if (res.status == 400) message = "malformed HTTP request";
      else if (res.status == 405) message = req.method + " " + req.path + " is not allowed";
      write(error_reply(res.status, message), res);
      return httplib::Server::HandlerResponse::Handled;
    }));
    server.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      double seconds = 0;
      if (t_request_start) {
        seconds = std::chrono::duration<double>(Clock::now() - *t_request_start).count();
        t_request_start.reset();
        --in_flight;
      }
      metrics.record(route_of(req.path), res.status, seconds);
      spdlog::info("{} {} {} {} {} B {:.1f} ms", req.remote_addr, req.method, req.path, res.status,
                   res.body.size(), seconds * 1000);
    });
    add_routes();
  }
};

HttpService::HttpService(const ServeOptions& options, std::unique_ptr<WorkerPool> pool,
                         std::map<std::string, std::string> runtime_files)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->pool = std::move(pool);
  impl_->runtime_files = std::move(runtime_files);
  impl_->model_name = std::filesystem::path(options.model).stem().string();
  if (impl_->pool->model().meta().format == "onnx") {
    std::ifstream in(options.model, std::ios::binary);
    impl_->onnx_bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  impl_->configure();
}

HttpService::~HttpService() = default;

int HttpService::bind() {
  const ServeOptions& o = impl_->options;
  const std::string where = o.host + ":" + std::to_string(o.port);
  if (o.port == 0) {
    const int port = impl_->server.bind_to_any_port(o.host);
    if (port < 0) throw std::runtime_error("cannot listen on " + o.host + " (any port)");
    return port;
  }
  if (!impl_->server.bind_to_port(o.host, o.port))
    throw std::runtime_error("cannot listen on " + where + " (in use, or not an address of this machine)");
  return o.port;
}

bool HttpService::listen() { return impl_->server.listen_after_bind(); }

void HttpService::stop() {
  impl_->draining = true;
  impl_->server.stop();
}

}  // namespace pseg
