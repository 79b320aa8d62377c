#include <spdlog/spdlog.h>

#include "core/train/hooks.h"

namespace pseg {

void EarlyStopHook::after_validation(TrainContext& c, const ValidationResult&) {
  if (c.improved) {
    c.state.early_stop_wait = 0;
  } else if (patience_ > 0 && ++c.state.early_stop_wait >= patience_) {
    c.stop_after_epoch = true;
    c.result.early_stopped = true;
  }
}

void EarlyStopHook::after_epoch(TrainContext& c) {
  if (c.result.early_stopped)
    spdlog::info("early stop: no {} improvement in {} validations", c.state.best_metric_name, patience_);
}

}  // namespace pseg
