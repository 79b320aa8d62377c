// constant: the configured learning rate throughout (after any warm-up).
#include "core/optim/schedule_registry.h"

namespace pseg {

ScheduleEntry constant_schedule() {
  return {"constant", "optim.lr throughout", {}, [](const JsonReader&, ScheduleConfig&) {},
          [](const ScheduleConfig&, double) {},
          [](const ScheduleConfig&, double base_lr, int64_t, int64_t, const ScheduleState&) { return base_lr; },
          {}};
}

}  // namespace pseg
