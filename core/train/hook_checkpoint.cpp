#include <spdlog/spdlog.h>

#include <filesystem>

#include "core/common/interrupt.h"
#include "core/train/hooks.h"

namespace pseg {

void CheckpointHook::save(TrainContext& c, const std::string& name, int64_t epochs_done, int64_t steps_in) {
  c.state.epoch = epochs_done;
  c.state.step_in_epoch = steps_in;
  // Every rank averages (a collective); rank 0 writes.
  c.strategy.average_buffers(c.net);
  if (!c.strategy.is_main()) return;
  save_checkpoint((std::filesystem::path(c.run_dir) / name).string(), c.config, c.net, c.state, &c.optimizer);
}

void CheckpointHook::after_validation(TrainContext& c, const ValidationResult&) {
  if (!c.improved) return;
  save(c, "best.ckpt", c.epoch + 1, 0);
  spdlog::info("new best {} {:.4f}: wrote {}", c.state.best_metric_name, c.state.best_metric,
               (std::filesystem::path(c.run_dir) / "best.ckpt").string());
}

void CheckpointHook::after_epoch(TrainContext& c) {
  if ((c.epoch + 1) % interval_ == 0 || c.last_epoch || c.stop_after_epoch) save(c, "last.ckpt", c.epoch + 1, 0);
}

void CheckpointHook::on_interrupt(TrainContext& c, int64_t steps_done) {
  save(c, "last.ckpt", c.epoch, steps_done);
  spdlog::warn("stopped by signal {} at epoch {} step {}; wrote {}", stop_signal(), c.epoch + 1, steps_done,
               (std::filesystem::path(c.run_dir) / "last.ckpt").string());
}

}  // namespace pseg
