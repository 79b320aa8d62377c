// step: lr(e) = lr · gamma^floor(e / every_epochs)  (PortraitNet: 20, 0.95)
#include <cmath>
#include <stdexcept>

#include "core/optim/schedule_registry.h"

namespace pseg {

ScheduleEntry step_schedule() {
  ScheduleEntry e;
  e.name = "step";
  e.summary = "multiply by gamma every every_epochs epochs";
  e.keys = {"every_epochs", "gamma"};
  e.parse = [](const JsonReader& r, ScheduleConfig& c) {
    c.every_epochs = r.get_int("every_epochs", c.every_epochs);
    c.gamma = r.get_number("gamma", c.gamma);
  };
  e.check = [](const ScheduleConfig& c, double) {
    if (c.every_epochs < 1) throw std::invalid_argument("schedule.every_epochs: must be >= 1");
    if (c.gamma <= 0) throw std::invalid_argument("schedule.gamma: must be > 0");
  };
  e.lr = [](const ScheduleConfig& c, double base_lr, int64_t, int64_t epoch, const ScheduleState&) {
    return base_lr * std::pow(c.gamma, static_cast<double>(epoch / c.every_epochs));
  };
  return e;
}

}  // namespace pseg
