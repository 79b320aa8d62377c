#pragma once
// `portraitseg train`: one run from a validated Config to a run directory with checkpoints, metrics and curves.
#include <string>

#include "core/config.h"
#include "core/metrics.h"

namespace pseg {

struct TrainRequest {
  Config config;
  std::string resume;           // run directory or .ckpt to continue from; empty = fresh run
  bool dry_run = false;         // validate config, open datasets, report, stop
  std::string device_override;  // --device given on the command line; empty = train.device
  int threads_override = 0;     // --threads given on the command line (already applied); 0 = train.threads
};

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

// Throws ConfigError for configuration problems, RuntimeError for failures (non-finite loss, I/O).
TrainResult run_training(const TrainRequest& request);

// The config stored in a checkpoint (or a run directory's last.ckpt) with --set overrides applied.
Config resume_config(const std::string& resume, const std::vector<std::string>& overrides);

}  // namespace pseg
