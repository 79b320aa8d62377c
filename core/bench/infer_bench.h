#pragma once
// The inference side of `portraitseg bench`: latency of the net alone (a preprocessed blob in, the probability
// out) per engine of the registry (core/infer/engine_registry.h) as median / p90 / p99 over timed runs after
// warm-up, and throughput. A checkpoint or config is exported to TorchScript and ONNX in a temporary directory
// first; an exported .pt or .onnx file runs in the engines that open its kind and precision.
#include <cstdint>
#include <string>
#include <vector>

#include "core/infer/predictor.h"

namespace pseg {

// An engine's name (core/infer/engine_registry.h) or "all"; throws std::invalid_argument naming the choices.
std::vector<std::string> parse_engine_choice(const std::string& text);

struct InferBenchOptions {
  std::string model;                   // .ckpt, .pt or .onnx, or
  std::string config;                  // a JSON config: a freshly initialised (seed 0) net
  std::vector<std::string> overrides;  // --set for the config
  int64_t height = 0;                  // 0 = the model's size
  int64_t width = 0;
  int64_t batch = 1;
  std::vector<std::string> engines;    // engine names; empty = every engine the model allows
  int runs = 50;                       // timed runs per engine
  int warmup = 10;                     // untimed runs first (TorchScript profiles and optimises on these)
  std::string device = "cpu";
};

struct InferBenchResult {
  std::string engine;
  int64_t height = 0, width = 0, batch = 1;
  int threads = 1;                     // intra-op threads of LibTorch and OpenCV during the runs
  int runs = 0;
  double median_ms = 0, p90_ms = 0, p99_ms = 0;
  double fps = 0;                      // images per second at the median: batch * 1000 / median_ms
  std::string error;                   // why this engine could not open or run the model ("" when timed)
};

// Throws std::invalid_argument for bad options (engine the model cannot run in, size of an exported file that
// is not its own, batch < 1, runs < 1), std::runtime_error for unreadable models. With several engines wanted, one
// that cannot open or run the model gets a result with its error and the others are timed; with one, or when no
// engine could be timed, the (first) error is thrown.
std::vector<InferBenchResult> bench_inference(const InferBenchOptions& options);

}  // namespace pseg
