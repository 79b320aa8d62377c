// plateau: Keras 2.2.4 ReduceLROnPlateau on the validation loss (mode min, absolute min_delta), which LibTorch
// does not ship (training.md §3.2).
#include <algorithm>
#include <limits>
#include <stdexcept>

#include "core/optim/schedule_registry.h"

namespace pseg {

ScheduleEntry plateau_schedule() {
  ScheduleEntry e;
  e.name = "plateau";
  e.summary = "multiply by factor after patience validations without a lower val_loss";
  e.keys = {"factor", "patience", "cooldown", "min_delta", "min_lr"};
  e.parse = [](const JsonReader& r, ScheduleConfig& c) {
    c.factor = r.get_number("factor", c.factor);
    c.patience = r.get_int("patience", c.patience);
    c.cooldown = r.get_int("cooldown", c.cooldown);
    c.min_delta = r.get_number("min_delta", c.min_delta);
    c.min_lr = r.get_number("min_lr", c.min_lr);
  };
  e.check = [](const ScheduleConfig& c, double) {
    auto fail = [](const std::string& key, const std::string& msg) {
      throw std::invalid_argument("schedule." + key + ": " + msg);
    };
    if (c.factor <= 0 || c.factor >= 1) fail("factor", "must be in (0, 1)");
    if (c.patience < 0) fail("patience", "must be >= 0");
    if (c.cooldown < 0) fail("cooldown", "must be >= 0");
    if (c.min_delta < 0) fail("min_delta", "must be >= 0");
    if (c.min_lr < 0) fail("min_lr", "must be >= 0");
  };
  e.lr = [](const ScheduleConfig&, double, int64_t, int64_t, const ScheduleState& s) { return s.lr; };
  e.on_validation = [](const ScheduleConfig& c, double current, ScheduleState& s) {
    if (s.cooldown_counter > 0) {
      --s.cooldown_counter;
      s.wait = 0;
    }
    if (current < s.best.value_or(std::numeric_limits<double>::infinity()) - c.min_delta) {
      s.best = current;
      s.wait = 0;
    } else if (s.cooldown_counter == 0) {
      ++s.wait;
      if (s.wait >= c.patience && s.lr > c.min_lr) {
        s.lr = std::max(s.lr * c.factor, c.min_lr);
        s.cooldown_counter = c.cooldown;
        s.wait = 0;
      }
    }
  };
  return e;
}

}  // namespace pseg
