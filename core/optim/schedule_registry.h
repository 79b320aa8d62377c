#pragma once
// The learning-rate schedules a config can name (`schedule.kind`), one file each
// (core/optim/schedule_<kind>.cpp): the schedule.* keys each reads, their checks, the learning rate of an epoch
// and, for schedules that follow the validation loss, the update after a validation.
#include <cstdint>
#include <functional>
#include <set>
#include <string>

#include "core/common/json_reader.h"
#include "core/common/registry.h"
#include "core/optim/schedule_config.h"

namespace pseg {

struct ScheduleEntry {
  std::string name;
  std::string summary;
  std::set<std::string> keys;  // its own schedule.* keys (warm-up keys are common to all)
  // Reads its keys from the schedule section into `config` (ranges are checked by `check`).
  std::function<void(const JsonReader& schedule, ScheduleConfig& config)> parse;
  // Throws std::invalid_argument "schedule.<key>: ..." for a bad setting of its keys.
  std::function<void(const ScheduleConfig&, double base_lr)> check;
  // The learning rate of `epoch` before warm-up; `state` as the last validation left it.
  std::function<double(const ScheduleConfig&, double base_lr, int64_t total_epochs, int64_t epoch,
                       const ScheduleState& state)>
      lr;
  // After a validation with the monitored value (val_loss); empty for schedules that ignore validation.
  std::function<void(const ScheduleConfig&, double monitored, ScheduleState& state)> on_validation;
};

Registry<ScheduleEntry>& schedule_registry();

}  // namespace pseg
