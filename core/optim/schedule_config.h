#pragma once
// The `schedule` section of a config (training.md §3.2, §3.3). No torch here: config parsing uses it.
#include <cstdint>
#include <optional>
#include <string>

namespace pseg {

struct ScheduleConfig {
  std::string kind = "constant";  // a schedule of schedule_registry() (core/optim/schedule_registry.h)
  // step: lr(e) = lr · gamma^floor(e / every_epochs)  (PortraitNet: 20, 0.95)
  int64_t every_epochs = 20;
  double gamma = 0.95;
  // plateau: Keras 2.2.4 ReduceLROnPlateau on the validation loss (mode min)
  double factor = 0.1;
  int64_t patience = 10;
  int64_t cooldown = 0;
  double min_delta = 1e-4;  // absolute
  // plateau: lower bound of the reductions; cosine: the learning rate of the last epoch
  double min_lr = 0.0;
  // linear warm-up over the first warmup_epochs, from warmup_start_factor·lr; multiplies the schedule above
  int64_t warmup_epochs = 0;
  double warmup_start_factor = 0.1;
};

// What a schedule carries from epoch to epoch (only plateau changes it), saved in checkpoints for resuming.
struct ScheduleState {
  std::string kind;                // "" = nothing recorded (a checkpoint not written by training)
  double lr = 0;                   // plateau: the current, reduced learning rate
  std::optional<double> best;      // plateau: best monitored value so far (none yet)
  int64_t wait = 0;                // plateau: validations without improvement
  int64_t cooldown_counter = 0;    // plateau: validations left in the cool-down
  bool operator==(const ScheduleState& o) const {
    return kind == o.kind && lr == o.lr && best == o.best && wait == o.wait && cooldown_counter == o.cooldown_counter;
  }
};

}  // namespace pseg
