#pragma once
// What a training run reports when it ends (`train --json`).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "core/eval/metrics.h"

namespace pseg {

struct TrainResult {
  std::string run_dir;
  int64_t epochs_completed = 0;
  int64_t steps = 0;
  double best_metric = 0;
  std::string best_metric_name;
  SegMetrics last_metrics;
  bool validated = false;
  bool interrupted = false;  // stopped by SIGINT/SIGTERM; last.ckpt written
  bool early_stopped = false;
  int rank = 0;               // this process's rank; rank 0 reports for the run
  int world_size = 1;         // data-parallel processes (RANK/WORLD_SIZE, docs/distributed.md)
  int64_t global_batch = 0;   // train.batch_size x world_size
  // Data-parallel runs, last epoch: samples/s over all ranks, wall time per step, gradient all-reduce per step,
  // sync_bn all-reduces per step (inside forward and backward).
  double samples_per_second = 0;
  double step_ms = 0;
  double sync_ms_per_step = 0;
  double batch_norm_sync_ms_per_step = 0;
};

nlohmann::json to_json(const TrainResult& r);

}  // namespace pseg
