// cosine: from optim.lr at epoch 0 down to min_lr at the last epoch.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/optim/schedule_registry.h"

namespace pseg {

ScheduleEntry cosine_schedule() {
  ScheduleEntry e;
  e.name = "cosine";
  e.summary = "cosine annealing to min_lr at the last epoch";
  e.keys = {"min_lr"};
  e.parse = [](const JsonReader& r, ScheduleConfig& c) { c.min_lr = r.get_number("min_lr", c.min_lr); };
  e.check = [](const ScheduleConfig& c, double base_lr) {
    if (c.min_lr < 0) throw std::invalid_argument("schedule.min_lr: must be >= 0");
    if (c.min_lr > base_lr) throw std::invalid_argument("schedule.min_lr: must not exceed optim.lr");
  };
  e.lr = [](const ScheduleConfig& c, double base_lr, int64_t total_epochs, int64_t epoch, const ScheduleState&) {
    const double span = static_cast<double>(total_epochs - 1);
    const double t = span > 0 ? std::min(1.0, static_cast<double>(epoch) / span) : 0.0;
    return c.min_lr + (base_lr - c.min_lr) * 0.5 * (1.0 + std::cos(std::acos(-1.0) * t));
  };
  return e;
}

}  // namespace pseg
