#include "core/train/train_result.h"

#include <cmath>

namespace pseg {

nlohmann::json to_json(const TrainResult& r) {
  nlohmann::json j = {{"run_dir", r.run_dir},
                      {"epochs_completed", r.epochs_completed},
                      {"steps", r.steps},
                      {"interrupted", r.interrupted},
                      {"early_stopped", r.early_stopped},
                      {"best_metric_name", r.best_metric_name},
                      {"best_metric", std::isfinite(r.best_metric) ? nlohmann::json(r.best_metric) : nlohmann::json()},
                      {"world_size", r.world_size},
                      {"global_batch", r.global_batch}};
  if (r.world_size > 1)
    j["throughput"] = {{"samples_per_second", r.samples_per_second},
                       {"step_ms", r.step_ms},
                       {"allreduce_ms_per_step", r.sync_ms_per_step},
                       {"sync_bn_ms_per_step", r.batch_norm_sync_ms_per_step}};
  if (r.validated)
    j["last_validation"] = {{"miou_per_image", r.last_metrics.miou_per_image},
                            {"miou_confusion", r.last_metrics.miou_confusion},
                            {"images", r.last_metrics.images}};
  return j;
}

}  // namespace pseg
