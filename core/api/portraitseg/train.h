#pragma once
// Training from a Config into a run directory (checkpoints, metrics.csv, curves), as `portraitseg train` does,
// with callbacks for progress and metrics.
#include <cstdint>
#include <functional>
#include <string>

#include "portraitseg/config.h"
#include "portraitseg/options.h"

namespace portraitseg {

// After every optimisation step.
struct StepProgress {
  int64_t epoch = 0;            // 1-based
  int64_t step = 0;             // 1-based within the epoch
  int64_t steps_per_epoch = 0;
  double loss = 0;
};

// After every epoch; the metrics are set when the epoch was validated.
struct EpochProgress {
  int64_t epoch = 0;  // 1-based
  int64_t epochs = 0;
  double lr = 0;
  bool validated = false;
  double val_loss = 0;
  double miou_per_image = 0;
  double miou_confusion = 0;
  bool improved = false;  // a new best of train.best_metric: best.ckpt was written
};

struct TrainOptions {
  // A run directory or .ckpt to continue from; "" = a fresh run into the config's train.run_dir.
  PORTRAITSEG_ARG(std::string, resume) = "";
  // Overrides train.device when not empty.
  PORTRAITSEG_ARG(std::string, device) = "";
  // Intra-op threads; 0 = train.threads, or the cores the process may run on.
  PORTRAITSEG_ARG(int, threads) = 0;
  PORTRAITSEG_ARG(std::function<void(const StepProgress&)>, on_step) = nullptr;
  PORTRAITSEG_ARG(std::function<void(const EpochProgress&)>, on_epoch) = nullptr;
};

struct TrainSummary {
  std::string run_dir;
  int64_t epochs_completed = 0;
  int64_t steps = 0;
  std::string best_metric_name;  // train.best_metric
  double best_metric = 0;
  bool interrupted = false;   // stopped by SIGINT/SIGTERM
  bool early_stopped = false;
  std::string json;           // everything `portraitseg train --json` prints
  // The checkpoint of the best validation, and of the last epoch.
  std::string best_checkpoint() const { return run_dir + "/best.ckpt"; }
  std::string last_checkpoint() const { return run_dir + "/last.ckpt"; }
};

// Throws ConfigError for a configuration that cannot run (bad data paths, batch larger than the set, a resume of
// another net), RuntimeError for failures while training (non-finite loss, I/O). Callbacks run on the calling
// thread; an exception thrown by one ends the run and propagates.
TrainSummary train(const Config& config, const TrainOptions& options = TrainOptions());

}  // namespace portraitseg
