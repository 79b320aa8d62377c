#pragma once
// The extension point of the training loop: a hook has one job (checkpoints, best metric, early stop, time limit,
// logging, the LR schedule, ...) and is called at fixed points of every run. Modelled on mmengine's hooks and
// Lightning's callbacks. Hooks run in the order they were added; core/train/hooks.h lists the standard ones.
#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/config/config.h"
#include "core/distributed/distributed.h"
#include "core/model_io/checkpoint.h"
#include "core/train/train_result.h"
#include "core/train/training_data.h"
#include "nets/segnet.h"

namespace pseg {

// Everything a hook may read or change during a run.
struct TrainContext {
  const Config& config;
  SegNetImpl& net;
  torch::optim::Optimizer& optimizer;
  TrainingData& data;
  Distributed& strategy;   // data-parallel collectives; local no-ops with one process
  torch::Device device;
  TrainingState& state;    // what checkpoints store; the loop advances epoch and step
  TrainResult& result;
  std::string run_dir;     // "" when the run keeps no directory (bench)
  int64_t epochs = 0;      // run length
  int64_t steps_per_epoch = 0;

  // The epoch under way.
  int64_t epoch = 0;
  double lr = 0;
  bool last_epoch = false;                      // the final one: run length reached or time limit hit
  std::optional<ValidationResult> validation;   // set when this epoch was validated
  bool improved = false;                        // this epoch's validation set a new best metric
  bool stop_after_epoch = false;                // a hook ends the run once this epoch is complete
  bool finish_now = false;  // a hook ends the run after the current step, skipping the epoch's end (bench)
};

// One optimisation step as the hooks see it.
struct StepReport {
  int64_t step_in_epoch = 0;  // 0-based
  double loss = 0;            // mean over ranks
  std::vector<std::pair<std::string, double>> terms;  // named loss terms, mean over ranks
  int64_t samples = 0;        // images in the step, all ranks
  double data_wait_ms = 0;    // blocked on the loader
  double step_ms = 0;         // loader wait + forward + backward + update
};

class TrainHook {
 public:
  virtual ~TrainHook() = default;
  virtual void before_run(TrainContext&) {}
  virtual void before_epoch(TrainContext&) {}
  // Local decisions every rank then takes together (the strategy ORs them): stop on a signal, out of time.
  virtual void before_sync(TrainContext&, StepSignals&) {}
  virtual void after_step(TrainContext&, const StepReport&) {}
  // Training steps of the epoch done, before any validation.
  virtual void after_train_epoch(TrainContext&) {}
  // Whether this epoch ends with a validation pass; one hook saying yes is enough.
  virtual bool wants_validation(const TrainContext&) const { return false; }
  virtual void after_validation(TrainContext&, const ValidationResult&) {}
  virtual void after_epoch(TrainContext&) {}
  // A stop signal reached the run after `steps_done` steps of the current epoch; the run ends after this.
  virtual void on_interrupt(TrainContext&, int64_t steps_done) {}
};

}  // namespace pseg
