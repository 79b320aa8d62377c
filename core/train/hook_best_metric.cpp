#include <spdlog/spdlog.h>

#include <cmath>

#include "core/train/hooks.h"

namespace pseg {
namespace {

double metric_value(const std::string& name, const ValidationResult& v) {
  if (name == "val_loss") return v.loss;
  if (name == "miou_confusion") return v.metrics.miou_confusion;
  return v.metrics.miou_per_image;
}

}  // namespace

void BestMetricHook::before_run(TrainContext& c) {
  if (!c.state.best_metric_name.empty() && c.state.best_metric_name != metric_ && !std::isnan(c.state.best_metric))
    spdlog::warn("train.best_metric is {} (the resumed run tracked {}): the best value starts afresh", metric_,
                 c.state.best_metric_name);
  if (c.state.best_metric_name != metric_) c.state.best_metric = std::nan("");
  c.state.best_metric_name = metric_;
  c.result.best_metric_name = metric_;
}

void BestMetricHook::after_validation(TrainContext& c, const ValidationResult& v) {
  const double value = metric_value(metric_, v);
  const double best = c.state.best_metric;
  // A NaN metric never counts as an improvement (and is never kept as the best).
  c.improved = !std::isnan(value) && (std::isnan(best) || (metric_maximised(metric_) ? value > best : value < best));
  if (c.improved) c.state.best_metric = value;
}

}  // namespace pseg
