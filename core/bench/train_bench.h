#pragma once
// Training throughput with data loading included: the config's loader and augmentation, its loss recipe (both
// views for PortraitNet's consistency loss) and its optimiser, timed per step after a warm-up.
#include <cstdint>
#include <string>

#include "core/config/config.h"

namespace pseg {

struct TrainBenchOptions {
  int64_t batch = 8;
  int threads = 2;       // intra-op threads; the loader keeps train.workers
  int steps = 20;        // timed steps
  int warmup = 3;        // untimed steps first (allocator, caches, loader start)
  int64_t height = 0;    // 0 = the config's input size (the net's native size when the config gives none)
  int64_t width = 0;
  std::string data_dir;  // a list dataset (`portraitseg synth`) replacing the config's data; "" = the config's
  std::string device = "cpu";
};

struct TrainBenchResult {
  std::string net;
  std::string config;
  int64_t height = 0, width = 0;
  int64_t batch = 0;
  int threads = 0;
  int steps = 0;
  double images_per_s = 0;         // batch / median step time
  double median_step_ms = 0;       // data wait + forward + backward + optimiser update
  double p90_step_ms = 0;
  double median_data_wait_ms = 0;  // time blocked on the loader
};

// Throws std::invalid_argument (naming the path and how to make synthetic data) when the datasets are missing,
// ConfigError for an unusable config or batch.
TrainBenchResult bench_training(Config config, const TrainBenchOptions& options);

}  // namespace pseg
