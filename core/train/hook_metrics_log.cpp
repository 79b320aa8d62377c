#include <spdlog/spdlog.h>

#include <cmath>

#include "core/train/hooks.h"

namespace pseg {

void MetricsLogHook::before_epoch(TrainContext& c) {
  row_ = MetricsRow{};
  row_.epoch = c.epoch + 1;
  row_.lr = c.lr;
  row_.train_losses = {{"loss", 0.0}};
  row_.val_miou_per_image = row_.val_miou_confusion = row_.val_loss = std::nan("");
  steps_ = 0;
  start_ = std::chrono::steady_clock::now();
}

void MetricsLogHook::after_step(TrainContext&, const StepReport& s) {
  if (steps_ == 0)
    for (const auto& term : s.terms) row_.train_losses.emplace_back(term.first, 0.0);
  row_.train_losses[0].second += s.loss;
  for (size_t i = 0; i < s.terms.size() && i + 1 < row_.train_losses.size(); ++i)
    row_.train_losses[i + 1].second += s.terms[i].second;
  ++steps_;
}

void MetricsLogHook::after_validation(TrainContext& c, const ValidationResult& v) {
  row_.val_miou_per_image = v.metrics.miou_per_image;
  row_.val_miou_confusion = v.metrics.miou_confusion;
  row_.val_loss = v.loss;
  const double train_loss = steps_ ? row_.train_losses[0].second / static_cast<double>(steps_) : std::nan("");
  spdlog::info("epoch {}/{}: loss {:.4f} val_loss {:.4f} mIOU per-image {:.4f} confusion {:.4f}", c.epoch + 1,
               c.epochs, train_loss, v.loss, v.metrics.miou_per_image, v.metrics.miou_confusion);
}

void MetricsLogHook::after_epoch(TrainContext& c) {
  for (auto& term : row_.train_losses)
    term.second = steps_ ? term.second / static_cast<double>(steps_) : std::nan("");
  row_.step = c.state.step;
  row_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (run_) run_->record(row_);
}

}  // namespace pseg
