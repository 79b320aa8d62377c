#include "portraitseg/evaluate.h"

#include "core/api/guarded.h"
#include "core/api/predictor_options.h"
#include "core/common/errors.h"
#include "core/eval/eval_job.h"

namespace portraitseg {

EvalSummary evaluate(const std::string& model_path, const EvalOptions& options) {
  return detail::guarded([&] {
    if (options.config().empty() == options.data().empty())
      throw pseg::ConfigError("evaluate: give exactly one of a config or data specs");
    pseg::EvalRequest request;
    request.model = model_path;
    request.config = options.config();
    request.data = options.data();
    request.split = options.split();
    request.options.threshold = options.threshold();
    request.predictor = detail::predictor_options(options.model());
    request.progress = options.on_progress();
    const pseg::EvalReport report = pseg::run_eval(request);
    const pseg::SegMetrics& m = report.result.metrics;
    EvalSummary s;
    s.images = m.images;
    s.miou_per_image = m.miou_per_image;
    s.miou_confusion = m.miou_confusion;
    s.iou_person = m.iou_person;
    s.iou_background = m.iou_background;
    s.pixel_accuracy = m.pixel_accuracy;
    s.boundary_f = report.result.boundary_f;
    s.median_inference_ms = report.result.median_inference_ms;
    s.json = pseg::to_json(report).dump();
    return s;
  });
}

}  // namespace portraitseg
