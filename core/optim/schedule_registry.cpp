#include "core/optim/schedule_registry.h"

namespace pseg {

// Each schedule file defines its entry; adding a schedule = its file plus one line here.
ScheduleEntry constant_schedule();
ScheduleEntry step_schedule();
ScheduleEntry plateau_schedule();
ScheduleEntry cosine_schedule();

Registry<ScheduleEntry>& schedule_registry() {
  static Registry<ScheduleEntry> registry("schedule", {
                                                          constant_schedule(),
                                                          step_schedule(),
                                                          plateau_schedule(),
                                                          cosine_schedule(),
                                                      });
  return registry;
}

}  // namespace pseg
