#include "core/train/hooks.h"

namespace pseg {

std::vector<std::unique_ptr<TrainHook>> standard_hooks(const TrainConfig& train, LrSchedule& schedule, RunDir* run) {
  std::vector<std::unique_ptr<TrainHook>> hooks;
  hooks.push_back(std::make_unique<ChannelsLastHook>());
  hooks.push_back(std::make_unique<SignalHook>());
  hooks.push_back(std::make_unique<TimeLimitHook>(train.time_limit_minutes));
  hooks.push_back(std::make_unique<ScheduleHook>(schedule));
  hooks.push_back(std::make_unique<ProgressHook>());
  hooks.push_back(std::make_unique<ThroughputHook>());
  hooks.push_back(std::make_unique<ValidationCadenceHook>(train.val_interval));
  // Order matters below: the summary line first, then the best metric, the early-stop count that depends on
  // it, and the checkpoints that store both.
  hooks.push_back(std::make_unique<MetricsLogHook>(run));
  hooks.push_back(std::make_unique<BestMetricHook>(train.best_metric));
  hooks.push_back(std::make_unique<EarlyStopHook>(train.early_stop.patience));
  if (train.quantization_aware)
    hooks.push_back(std::make_unique<QatExportHook>(train.qat_observer_epochs));
  else
    hooks.push_back(std::make_unique<CheckpointHook>(train.checkpoint_interval));
  return hooks;
}

}  // namespace pseg
