#include "core/optim/optim.h"
#include "core/train/hooks.h"

namespace pseg {

void ScheduleHook::before_epoch(TrainContext& c) {
  c.lr = schedule_.lr_for_epoch(c.epoch);
  set_learning_rate(c.optimizer, c.lr);
  c.state.scheduler = schedule_.state();
}

void ScheduleHook::after_validation(TrainContext& c, const ValidationResult& v) {
  schedule_.on_validation(v.loss);
  c.state.scheduler = schedule_.state();
}

}  // namespace pseg
