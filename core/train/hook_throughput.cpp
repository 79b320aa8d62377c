#include <spdlog/spdlog.h>

#include "core/train/hooks.h"

namespace pseg {

void ThroughputHook::before_epoch(TrainContext&) {
  start_ = std::chrono::steady_clock::now();
  steps_ = 0;
}

void ThroughputHook::after_step(TrainContext&, const StepReport&) { ++steps_; }

void ThroughputHook::after_train_epoch(TrainContext& c) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double sync_seconds = c.strategy.take_sync_seconds();
  const double bn_sync_seconds = c.strategy.take_batch_norm_sync_seconds();
  if (!c.strategy.active() || steps_ == 0) return;
  TrainResult& r = c.result;
  const auto steps = static_cast<double>(steps_);
  r.samples_per_second = steps * static_cast<double>(r.global_batch) / seconds;
  r.sync_ms_per_step = 1000.0 * sync_seconds / steps;
  r.batch_norm_sync_ms_per_step = 1000.0 * bn_sync_seconds / steps;
  r.step_ms = 1000.0 * seconds / steps;
  spdlog::info("epoch {}: {:.1f} samples/s on {} processes (global batch {}); step {:.1f} ms, gradient all-reduce "
               "{:.2f} ms per step ({:.1f}%)",
               c.epoch + 1, r.samples_per_second, r.world_size, r.global_batch, r.step_ms, r.sync_ms_per_step,
               100.0 * r.sync_ms_per_step / r.step_ms);
  if (c.config.train.sync_bn)
    spdlog::info("epoch {}: sync_bn all-reduces {:.2f} ms per step ({:.1f}%)", c.epoch + 1,
                 r.batch_norm_sync_ms_per_step, 100.0 * r.batch_norm_sync_ms_per_step / r.step_ms);
}

}  // namespace pseg
