#include "core/infer_bench.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <opencv2/core/utility.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <random>
#include <stdexcept>

#include "core/checkpoint.h"
#include "core/config.h"
#include "core/exporter.h"
#include "core/model_meta.h"
#include "nets/registry.h"

namespace pseg {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("portraitseg-bench-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string lower_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

std::string size_override(const InferBenchOptions& o) {
  return "model.input_size=[" + std::to_string(o.height) + "," + std::to_string(o.width) + "]";
}

// The checkpoint to benchmark: the given one, the given one rebuilt at another size (same weights), or a
// freshly initialised net from the config.
std::string prepare_checkpoint(const InferBenchOptions& o, const fs::path& tmp) {
  if (o.config.empty() && o.height == 0) return o.model;
  Config config;
  SegNet net;
  if (!o.config.empty()) {
    std::vector<std::string> overrides = o.overrides;
    if (o.height > 0) overrides.push_back(size_override(o));
    config = load_config(o.config, overrides);
    torch::manual_seed(0);
    net = create_net(config.model);
  } else {
    const LoadedCheckpoint ckpt = load_checkpoint(o.model);
    nlohmann::json j = ckpt.config.resolved;
    apply_override(j, size_override(o));
    config = parse_config(j, o.model);
    net = create_net(config.model);
    torch::NoGradGuard no_grad;
    auto params = net->named_parameters();
    for (const auto& p : ckpt.net->named_parameters()) params[p.key()].copy_(p.value());
    auto buffers = net->named_buffers();
    for (const auto& b : ckpt.net->named_buffers()) buffers[b.key()].copy_(b.value());
  }
  const std::string path = (tmp / "bench.ckpt").string();
  save_checkpoint(path, config, *net, TrainingState{}, nullptr);
  return path;
}

// Export logs its progress at info level; inside a benchmark that is noise (and --json keeps stdout clean).
class QuietLogs {
 public:
  QuietLogs() : level_(spdlog::get_level()) { spdlog::set_level(std::max(level_, spdlog::level::warn)); }
  ~QuietLogs() { spdlog::set_level(level_); }

 private:
  spdlog::level::level_enum level_;
};

struct EngineRun {
  Engine engine;
  ModelMeta meta;
  std::function<cv::Mat(const cv::Mat&)> infer;
};

InferBenchResult time_engine(const EngineRun& e, const InferBenchOptions& o, int threads) {
  const ModelMeta& m = e.meta;
  const int shape[] = {static_cast<int>(o.batch), static_cast<int>(m.channels), static_cast<int>(m.height),
                       static_cast<int>(m.width)};
  cv::Mat blob(4, shape, CV_32F);
  cv::RNG rng(0);
  rng.fill(blob, cv::RNG::UNIFORM, -1.f, 1.f);
  for (int i = 0; i < o.warmup; ++i) e.infer(blob);
  std::vector<double> ms;
  ms.reserve(o.runs);
  for (int i = 0; i < o.runs; ++i) {
    const auto t0 = Clock::now();
    const cv::Mat out = e.infer(blob);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (out.empty()) throw std::runtime_error("bench: " + to_string(e.engine) + " returned nothing");
  }
  InferBenchResult r;
  r.engine = e.engine;
  r.height = m.height;
  r.width = m.width;
  r.batch = o.batch;
  r.threads = threads;
  r.runs = o.runs;
  r.median_ms = percentile(ms, 50);
  r.p90_ms = percentile(ms, 90);
  r.p99_ms = percentile(ms, 99);
  r.fps = r.median_ms > 0 ? o.batch * 1000.0 / r.median_ms : 0;
  return r;
}

bool wanted(const std::vector<Engine>& engines, Engine e) {
  return engines.empty() || std::find(engines.begin(), engines.end(), e) != engines.end();
}

}  // namespace

std::vector<Engine> parse_engine_choice(const std::string& text) {
  if (text == "libtorch") return {Engine::LibTorch};
  if (text == "torchscript") return {Engine::TorchScript};
  if (text == "opencv") return {Engine::OpenCV};
  if (text == "all") return {Engine::LibTorch, Engine::TorchScript, Engine::OpenCV};
  throw std::invalid_argument("--engine \"" + text + "\": expected libtorch, torchscript, opencv or all");
}

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * samples.size()));
  return samples[std::clamp<size_t>(rank, 1, samples.size()) - 1];
}

std::vector<InferBenchResult> bench_inference(const InferBenchOptions& o) {
  if (o.model.empty() == o.config.empty()) throw std::invalid_argument("bench: give exactly one of --model or --config");
  if (o.batch < 1) throw std::invalid_argument("--batch: expected >= 1");
  if (o.runs < 1 || o.warmup < 0) throw std::invalid_argument("--runs: expected >= 1");
  if ((o.height > 0) != (o.width > 0)) throw std::invalid_argument("--size: give both height and width");

  const int threads = at::get_num_threads();
  cv::setNumThreads(threads);
  const std::string ext = o.config.empty() ? lower_extension(o.model) : ".ckpt";
  std::vector<EngineRun> runs;
  TempDir tmp;
  if (ext == ".pt" || ext == ".onnx") {
    // An exported file runs in its own engine at its own size.
    const Engine engine = ext == ".pt" ? Engine::TorchScript : Engine::OpenCV;
    if (!wanted(o.engines, engine) && o.engines.size() == 1)
      throw std::invalid_argument("--engine " + to_string(o.engines[0]) + ": " + o.model + " runs in " +
                                  to_string(engine) + " only (give a checkpoint or config for the others)");
    const ModelMeta meta = engine == Engine::TorchScript ? read_torchscript_meta(o.model) : read_onnx_meta(o.model);
    if (o.height > 0 && (o.height != meta.height || o.width != meta.width))
      throw std::invalid_argument("--size: " + o.model + " is fixed at " + std::to_string(meta.height) + "x" +
                                  std::to_string(meta.width) + " (export it at another size)");
    if (o.batch > 1 && engine == Engine::OpenCV && !meta.dynamic_batch)
      throw std::invalid_argument("--batch: " + o.model + " has a fixed batch of 1 (export with --dynamic-batch)");
    std::shared_ptr<Predictor> p = open_predictor(o.model, PredictorOptions{o.device});
    runs.push_back({engine, p->meta(), [p](const cv::Mat& b) { return p->infer(b); }});
  } else if (ext == ".ckpt") {
    std::string ckpt;
    ExportResult exported;
    {
      QuietLogs quiet;
      ckpt = prepare_checkpoint(o, tmp.path());
      const bool ts = wanted(o.engines, Engine::TorchScript), onnx = wanted(o.engines, Engine::OpenCV);
      if (ts || onnx) {
        ExportOptions eo;
        eo.model = ckpt;
        eo.out = tmp.path().string();
        eo.format = ts && onnx ? ExportFormat::All : ts ? ExportFormat::TorchScript : ExportFormat::Onnx;
        eo.verify = false;
        eo.dynamic_batch = o.batch > 1;
        eo.device = o.device;
        exported = run_export(eo);
      }
    }
    if (wanted(o.engines, Engine::LibTorch)) {
      std::shared_ptr<Predictor> p = open_predictor(ckpt, PredictorOptions{o.device});
      runs.push_back({Engine::LibTorch, p->meta(), [p](const cv::Mat& b) { return p->infer(b); }});
    }
    for (const auto& f : exported.files) {
      std::shared_ptr<Predictor> p = open_predictor(f.path, PredictorOptions{o.device});
      runs.push_back({p->engine(), p->meta(), [p](const cv::Mat& b) { return p->infer(b); }});
    }
  } else {
    throw std::invalid_argument(o.model + ": expected a .ckpt, .pt or .onnx model");
  }

  std::vector<InferBenchResult> results;
  for (const auto& r : runs) {
    spdlog::debug("bench: {} at {}x{}, batch {}", to_string(r.engine), r.meta.height, r.meta.width, o.batch);
    results.push_back(time_engine(r, o, threads));
  }
  return results;
}

}  // namespace pseg
