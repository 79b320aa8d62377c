#pragma once
// Epoch-level learning-rate schedules, including Keras' ReduceLROnPlateau that LibTorch does not ship.
// The trainer sets lr_for_epoch(e) at the start of epoch e and reports the validation loss after it.
#include <nlohmann/json.hpp>

#include <cstdint>

#include "core/schedule_config.h"

namespace pseg {

class LrSchedule {
 public:
  // total_epochs: the run length (cosine reaches min_lr at epoch total_epochs − 1).
  // Throws std::invalid_argument naming the schedule.* key of a bad setting.
  LrSchedule(ScheduleConfig config, double base_lr, int64_t total_epochs);

  double lr_for_epoch(int64_t epoch) const;
  // Plateau: one Keras ReduceLROnPlateau step with the monitored value (val_loss). Other kinds ignore it.
  void on_validation(double monitored_value);

  // Everything resuming needs: the plateau learning rate, best, wait and cooldown counter.
  nlohmann::json state() const;
  // Throws std::runtime_error when the state belongs to another kind of schedule.
  void load_state(const nlohmann::json& state);

  const ScheduleConfig& config() const { return config_; }

 private:
  double warmup_factor(int64_t epoch) const;

  ScheduleConfig config_;
  double base_lr_;
  int64_t total_epochs_;
  // plateau state (training.md §3.2)
  double plateau_lr_;
  double best_;
  int64_t wait_ = 0;
  int64_t cooldown_counter_ = 0;
};

}  // namespace pseg
