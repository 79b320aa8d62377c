#include "core/bench/infer_bench.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <opencv2/core/utility.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <functional>
#include <optional>
#include <random>
#include <stdexcept>

#include "core/common/error_report.h"
#include "core/common/stats.h"
#include "core/infer/engine_registry.h"
#include "core/model_io/checkpoint.h"
#include "core/config/config.h"
#include "core/export/export_job.h"
#include "core/model_io/model_meta.h"
#include "core/model_io/weight_copy.h"
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

std::string size_override(const InferBenchOptions& o) { return input_size_override(o.height, o.width); }

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
    copy_net_state(*net, *ckpt.net, o.model);
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
  std::string engine;
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
    if (out.empty()) throw std::runtime_error("bench: " + e.engine + " returned nothing");
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

bool wanted(const std::vector<std::string>& engines, const std::string& e) {
  return engines.empty() || std::find(engines.begin(), engines.end(), e) != engines.end();
}

EngineRun engine_run(const EngineEntry& engine, const std::string& path, const std::string& device) {
  std::shared_ptr<Predictor> p = engine.open(path, PredictorOptions{device});
  return {engine.name, p->meta(), [p](const cv::Mat& b) { return p->infer(b); }};
}

// One wanted engine: opened, or why it could not be. With several engines wanted, one that cannot open or run the
// model is reported in its row and the others are still timed; with one, or when none could be timed, the (first)
// error is the command's.
struct EngineSlot {
  std::string engine;
  std::optional<EngineRun> run;
  std::string error;
};

class EngineSlots {
 public:
  explicit EngineSlots(const InferBenchOptions& o) : o_(o) {}

  void open(const EngineEntry& e, const std::string& path) {
    EngineSlot slot{e.name, std::nullopt, ""};
    try {
      slot.run = engine_run(e, path, o_.device);
    } catch (const std::exception&) {
      slot.error = failure();
    }
    slots_.push_back(std::move(slot));
  }

  bool empty() const { return slots_.empty(); }
  // The metadata of the first engine that opened the model, if any did.
  const ModelMeta* meta() const {
    for (const auto& s : slots_)
      if (s.run) return &s.run->meta;
    return nullptr;
  }
  bool any_fixed_batch() const {
    return std::any_of(slots_.begin(), slots_.end(), [](const EngineSlot& s) {
      return s.run && engine_registry().at(s.engine, "engine").fixed_batch;
    });
  }

  std::vector<InferBenchResult> time_all(int threads) {
    std::vector<InferBenchResult> results;
    bool timed = false;
    for (const auto& s : slots_) {
      InferBenchResult r;
      r.engine = s.engine;
      r.error = s.error;
      if (s.run) {
        spdlog::debug("bench: {} at {}x{}, batch {}", s.engine, s.run->meta.height, s.run->meta.width, o_.batch);
        try {
          r = time_engine(*s.run, o_, threads);
          timed = true;
        } catch (const std::exception&) {
          r.error = failure();
        }
      }
      results.push_back(r);
    }
    if (!timed && first_error_) std::rethrow_exception(first_error_);
    return results;
  }

 private:
  // The message of the exception being handled, which the command rethrows when one engine was wanted; the first
  // one is kept for when no engine can be timed.
  std::string failure() {
    if (o_.engines.size() == 1) throw;
    if (!first_error_) first_error_ = std::current_exception();
    const std::string message = current_error_report().message;
    return message.empty() ? "failed without a message" : message;
  }

  const InferBenchOptions& o_;
  std::vector<EngineSlot> slots_;
  std::exception_ptr first_error_;
};

}  // namespace

std::vector<std::string> parse_engine_choice(const std::string& text) {
  if (text == "all") return engine_registry().names();
  return {engine_registry().at(text, "--engine").name};
}

std::vector<InferBenchResult> bench_inference(const InferBenchOptions& o) {
  if (o.model.empty() == o.config.empty()) throw std::invalid_argument("bench: give exactly one of --model or --config");
  if (o.batch < 1) throw std::invalid_argument("--batch: expected >= 1");
  if (o.runs < 1 || o.warmup < 0) throw std::invalid_argument("--runs: expected >= 1");
  if ((o.height > 0) != (o.width > 0)) throw std::invalid_argument("--size: give both height and width");

  const int threads = at::get_num_threads();
  EngineSlots slots(o);
  TempDir tmp;
  if (o.config.empty() && !engine_for_file(o.model).export_format.empty()) {
    // An exported file runs at its own size in every wanted engine that opens its kind and precision.
    const std::string& extension = engine_for_file(o.model).extension;
    for (const auto& e : engine_registry().entries()) {
      if (e.extension != extension || !wanted(o.engines, e.name)) continue;
      try {
        engine_for_file(o.model, e.name);
      } catch (const std::invalid_argument&) {
        if (o.engines.size() == 1) throw;  // --engine named one that cannot run this file
        continue;
      }
      slots.open(e, o.model);
    }
    if (slots.empty())
      throw std::invalid_argument("--engine " + (o.engines.empty() ? std::string("all") : o.engines[0]) + ": " +
                                  o.model + " runs in " + engine_for_file(o.model).name +
                                  " (give a checkpoint or config for the others)");
    if (const ModelMeta* meta = slots.meta()) {
      if (o.height > 0 && (o.height != meta->height || o.width != meta->width))
        throw std::invalid_argument("--size: " + o.model + " is fixed at " + std::to_string(meta->height) + "x" +
                                    std::to_string(meta->width) + " (export it at another size)");
      if (o.batch > 1 && slots.any_fixed_batch() && !meta->dynamic_batch)
        throw std::invalid_argument("--batch: " + o.model + " has a fixed batch of 1 (export with --dynamic-batch)");
    }
  } else {
    // A checkpoint or config: exported to every wanted engine's format first.
    std::string ckpt;
    ExportResult exported;
    {
      QuietLogs quiet;
      ckpt = prepare_checkpoint(o, tmp.path());
      std::vector<std::string> formats;
      for (const auto& e : engine_registry().entries())
        if (wanted(o.engines, e.name) && !e.export_format.empty()) formats.push_back(e.export_format);
      if (!formats.empty()) {
        ExportOptions eo;
        eo.model = ckpt;
        eo.out = tmp.path().string();
        eo.format = formats.size() > 1 ? ExportFormat::All : parse_export_format(formats.front());
        eo.verify = false;
        eo.dynamic_batch = o.batch > 1;
        eo.device = o.device;
        exported = run_export(eo);
      }
    }
    for (const auto& e : engine_registry().entries()) {
      if (!wanted(o.engines, e.name)) continue;
      if (e.export_format.empty()) slots.open(e, ckpt);
      for (const auto& f : exported.files)
        if (f.format == e.export_format) slots.open(e, f.path);
    }
  }
  return slots.time_all(threads);
}

}  // namespace pseg
