#include "core/train/hooks.h"

namespace pseg {

void ProgressHook::before_run(TrainContext& c) {
  progress_.emplace(c.epochs, c.steps_per_epoch, c.config.train.log_interval_steps);
}

void ProgressHook::before_epoch(TrainContext& c) { progress_->start_epoch(c.epoch); }

void ProgressHook::after_step(TrainContext& c, const StepReport& s) {
  progress_->step(s.step_in_epoch, s.loss, c.lr, s.samples);
}

void ProgressHook::after_train_epoch(TrainContext&) { progress_->finish_epoch(); }

void ProgressHook::on_interrupt(TrainContext&, int64_t) { progress_->finish_epoch(); }

}  // namespace pseg
