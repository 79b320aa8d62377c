#include "core/train/hooks.h"

namespace pseg {

bool ValidationCadenceHook::wants_validation(const TrainContext& c) const {
  return (c.epoch + 1) % interval_ == 0 || c.last_epoch;
}

}  // namespace pseg
