#pragma once
// The standard training hooks, one job each, and the set `train` uses. Each is implemented in hook_<name>.cpp.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/optim/schedule.h"
#include "core/train/progress.h"
#include "core/train/run_dir.h"
#include "core/train/train_hook.h"

namespace pseg {

// Sets each epoch's learning rate and feeds validation losses to the schedule (plateau); keeps its state in
// the training state so checkpoints carry it.
class ScheduleHook : public TrainHook {
 public:
  explicit ScheduleHook(LrSchedule& schedule) : schedule_(schedule) {}
  void before_epoch(TrainContext& c) override;
  void after_validation(TrainContext& c, const ValidationResult& v) override;

 private:
  LrSchedule& schedule_;
};

// SIGINT/SIGTERM: the run stops at the next step boundary (a second signal exits at once).
class SignalHook : public TrainHook {
 public:
  void before_run(TrainContext& c) override;
  void before_sync(TrainContext& c, StepSignals& s) override;
};

// train.time_limit_minutes: the step that finds the limit passed ends its epoch, which is validated and saved,
// and the run stops.
class TimeLimitHook : public TrainHook {
 public:
  explicit TimeLimitHook(double minutes) : minutes_(minutes) {}
  void before_run(TrainContext& c) override;
  void before_sync(TrainContext& c, StepSignals& s) override;

 private:
  double minutes_;
  std::chrono::steady_clock::time_point start_;
};

// Validates every train.val_interval epochs and on the last epoch.
class ValidationCadenceHook : public TrainHook {
 public:
  explicit ValidationCadenceHook(int64_t interval) : interval_(interval) {}
  bool wants_validation(const TrainContext& c) const override;

 private:
  int64_t interval_;
};

// Tracks train.best_metric (maximised, or minimised for val_loss) and marks the epochs that improve it. A run
// resumed with another best_metric starts its best afresh rather than comparing against the other metric.
class BestMetricHook : public TrainHook {
 public:
  explicit BestMetricHook(std::string metric) : metric_(std::move(metric)) {}
  void before_run(TrainContext& c) override;
  void after_validation(TrainContext& c, const ValidationResult& v) override;

 private:
  std::string metric_;
};

// Stops after train.early_stop.patience validations without a new best metric (0 = off); the count is kept in
// the training state, so it survives a resume.
class EarlyStopHook : public TrainHook {
 public:
  explicit EarlyStopHook(int64_t patience) : patience_(patience) {}
  void after_validation(TrainContext& c, const ValidationResult& v) override;
  void after_epoch(TrainContext& c) override;

 private:
  int64_t patience_;
};

// best.ckpt when the best metric improves; last.ckpt every train.checkpoint_interval epochs, on the last epoch,
// on an early stop and on a stop signal (mid-epoch, so a resume continues with the next step). Only rank 0 writes.
class CheckpointHook : public TrainHook {
 public:
  explicit CheckpointHook(int64_t interval) : interval_(interval) {}
  void after_validation(TrainContext& c, const ValidationResult& v) override;
  void after_epoch(TrainContext& c) override;
  void on_interrupt(TrainContext& c, int64_t steps_done) override;

 private:
  void save(TrainContext& c, const std::string& name, int64_t epochs_done, int64_t steps_in);
  int64_t interval_;
};

// Quantisation-aware runs (train.quantization_aware) in place of checkpoints: freezes the activation observers
// after `observer_epochs` epochs and writes best.int8.onnx when the best metric improves and last.int8.onnx at
// the end (also on a stop signal). Only rank 0 writes.
class QatExportHook : public TrainHook {
 public:
  explicit QatExportHook(int64_t observer_epochs) : observer_epochs_(observer_epochs) {}
  void before_epoch(TrainContext& c) override;
  void after_validation(TrainContext& c, const ValidationResult& v) override;
  void after_epoch(TrainContext& c) override;
  void on_interrupt(TrainContext& c, int64_t steps_done) override;

 private:
  void write(TrainContext& c, const std::string& name);
  int64_t observer_epochs_;
};

// The progress bar (terminal) or periodic progress lines (logs).
class ProgressHook : public TrainHook {
 public:
  void before_run(TrainContext& c) override;
  void before_epoch(TrainContext& c) override;
  void after_step(TrainContext& c, const StepReport& s) override;
  void after_train_epoch(TrainContext& c) override;
  void on_interrupt(TrainContext& c, int64_t steps_done) override;

 private:
  std::optional<ProgressReporter> progress_;
};

// train.channels_last: the net's convolution weights go channels-last before the first step, so that its
// convolutions and activations run NHWC. Quantisation-aware runs stay contiguous.
class ChannelsLastHook : public TrainHook {
 public:
  void before_run(TrainContext& c) override;
};

// Data-parallel runs: samples/s over all ranks, step time and the all-reduce share, logged per epoch.
class ThroughputHook : public TrainHook {
 public:
  void before_epoch(TrainContext& c) override;
  void after_step(TrainContext& c, const StepReport& s) override;
  void after_train_epoch(TrainContext& c) override;

 private:
  std::chrono::steady_clock::time_point start_;
  int64_t steps_ = 0;
};

// One metrics.csv row per epoch (mean loss and terms, validation metrics, LR, seconds) and the epoch summary
// line; `run` is null on ranks that keep no run directory.
class MetricsLogHook : public TrainHook {
 public:
  explicit MetricsLogHook(RunDir* run) : run_(run) {}
  void before_epoch(TrainContext& c) override;
  void after_step(TrainContext& c, const StepReport& s) override;
  void after_validation(TrainContext& c, const ValidationResult& v) override;
  void after_epoch(TrainContext& c) override;

 private:
  RunDir* run_;
  MetricsRow row_;
  int64_t steps_ = 0;
  std::chrono::steady_clock::time_point start_;
};

// The hooks of `portraitseg train`, in calling order.
std::vector<std::unique_ptr<TrainHook>> standard_hooks(const TrainConfig& train, LrSchedule& schedule, RunDir* run);

}  // namespace pseg
