#pragma once
// An epoch-level learning-rate schedule: the kind a config names (core/optim/schedule_registry.h) with the common
// linear warm-up on top.
// The trainer sets lr_for_epoch(e) at the start of epoch e and reports the validation loss after it.
#include <cstdint>

#include "core/optim/schedule_config.h"
#include "core/optim/schedule_registry.h"

namespace pseg {

class LrSchedule {
 public:
  // total_epochs: the run length (cosine reaches min_lr at epoch total_epochs − 1).
  // Throws std::invalid_argument naming the schedule.* key of a bad setting.
  LrSchedule(ScheduleConfig config, double base_lr, int64_t total_epochs);

  double lr_for_epoch(int64_t epoch) const;
  // The schedule's update with the monitored value (val_loss): plateau's ReduceLROnPlateau step; others ignore it.
  void on_validation(double monitored_value);

  // Everything resuming needs: the plateau learning rate, best, wait and cooldown counter.
  ScheduleState state() const;
  // Throws std::invalid_argument (a configuration error) when the state belongs to another kind of schedule.
  void load_state(const ScheduleState& state);

  const ScheduleConfig& config() const { return config_; }

 private:
  double warmup_factor(int64_t epoch) const;

  ScheduleConfig config_;
  const ScheduleEntry* entry_;
  double base_lr_;
  int64_t total_epochs_;
  ScheduleState state_;
};

}  // namespace pseg
