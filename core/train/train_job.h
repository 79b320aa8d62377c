#pragma once
// core/train: the job behind `portraitseg train`: one run from a validated Config to a run directory with
// checkpoints, metrics and curves, driven by the TrainLoop (train_loop.h) with the standard hooks (hooks.h); with
// --nproc-per-node the launcher (core/distributed/launcher.h) starts the data-parallel workers instead.
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/distributed/launcher.h"
#include "core/train/train_result.h"

namespace pseg {

class TrainHook;

struct TrainRequest {
  Config config;
  std::string resume;           // run directory or .ckpt to continue from; empty = fresh run
  bool dry_run = false;         // validate config, open datasets, report, stop
  std::string device_override;  // --device given on the command line; empty = train.device
  int threads_override = 0;     // --threads given on the command line (already applied); 0 = train.threads
  // Hooks of the caller (e.g. an application's progress callbacks), called after the standard ones.
  std::vector<std::shared_ptr<TrainHook>> extra_hooks;
};

// Throws ConfigError for configuration problems, RuntimeError for failures (non-finite loss, I/O).
TrainResult run_training(const TrainRequest& request);

// The config stored in a checkpoint (or a run directory's last.ckpt) with --set overrides applied.
Config resume_config(const std::string& resume, const std::vector<std::string>& overrides);

}  // namespace pseg
