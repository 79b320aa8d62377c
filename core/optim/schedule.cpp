#include "core/optim/schedule.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace pseg {

LrSchedule::LrSchedule(ScheduleConfig config, double base_lr, int64_t total_epochs)
    : config_(std::move(config)),
      entry_(&schedule_registry().at(config_.kind, "schedule.kind")),
      base_lr_(base_lr),
      total_epochs_(total_epochs) {
  const auto& c = config_;
  if (base_lr <= 0) throw std::invalid_argument("optim.lr: must be > 0");
  if (total_epochs < 1) throw std::invalid_argument("train.epochs: must be >= 1");
  if (c.warmup_epochs < 0) throw std::invalid_argument("schedule.warmup_epochs: must be >= 0");
  if (c.warmup_start_factor <= 0 || c.warmup_start_factor > 1)
    throw std::invalid_argument("schedule.warmup_start_factor: must be in (0, 1]");
  entry_->check(c, base_lr);
  state_.kind = c.kind;
  state_.lr = base_lr;
}

double LrSchedule::warmup_factor(int64_t epoch) const {
  const auto& c = config_;
  if (epoch >= c.warmup_epochs) return 1.0;
  return c.warmup_start_factor + (1.0 - c.warmup_start_factor) * static_cast<double>(epoch) / c.warmup_epochs;
}

double LrSchedule::lr_for_epoch(int64_t epoch) const {
  return entry_->lr(config_, base_lr_, total_epochs_, epoch, state_) * warmup_factor(epoch);
}

void LrSchedule::on_validation(double monitored) {
  if (entry_->on_validation) entry_->on_validation(config_, monitored, state_);
}

ScheduleState LrSchedule::state() const { return state_; }

void LrSchedule::load_state(const ScheduleState& s) {
  if (s.kind != config_.kind)
    throw std::invalid_argument("schedule.kind: the resumed run's scheduler state is for \"" + s.kind +
                                "\", the config has \"" + config_.kind + "\"");
  state_ = s;
}

}  // namespace pseg
