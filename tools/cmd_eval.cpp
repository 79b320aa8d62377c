// portraitseg eval: mIOU (both definitions) and friends of a .ckpt, .pt or .onnx model on a test set.
#include <cstdio>
#include <string>
#include <vector>

#include "core/eval/eval_job.h"
#include "tools/command.h"

namespace pseg::cli {
namespace {

struct EvalArgs {
  EvalRequest request;
  std::string interpolation = "auto";
  size_t worst = 0;
};

void print_report(const EvalReport& r) {
  const auto& m = r.result.metrics;
  const EvalModel& model = r.model;
  std::printf("model  %s (%s: %s, %s, interpolation %s)\n", model.path.c_str(), model.engine.c_str(),
              model.description.c_str(), model.resize.c_str(), model.interpolation.c_str());
  std::string sources;
  for (const auto& s : r.data.sources) sources += (sources.empty() ? "" : ", ") + s;
  std::printf("data   %s: %ld images at their original size\n", sources.c_str(), static_cast<long>(m.images));
  if (model.empty_prior)
    std::printf("note   the model has a prior channel: still images were given an empty prior\n");
  std::printf("\n  %-20s %9s\n", "metric", "value");
  const std::vector<std::pair<const char*, double>> rows = {
      {"miou_per_image", m.miou_per_image},   {"miou_confusion", m.miou_confusion},
      {"iou_person", m.iou_person},           {"iou_background", m.iou_background},
      {"pixel_accuracy", m.pixel_accuracy},   {"boundary_f", r.result.boundary_f}};
  for (const auto& [name, value] : rows) std::printf("  %-20s %9.4f\n", name, value);
  std::printf("  %-20s %9.2f\n", "threshold", r.threshold);
  std::printf("  %-20s %9ld\n", "ignored_pixels", static_cast<long>(m.ignored_pixels));
  std::printf("  %-20s %9.2f (median %.2f)\n", "inference ms (mean)", r.result.mean_inference_ms,
              r.result.median_inference_ms);
  std::printf("\nmiou_per_image: mean over images of the person IoU (PortraitNet); miou_confusion: mean of person and "
              "background IoU from one dataset confusion matrix (SINet/PaddleSeg); boundary_f: contour F-score within "
              "%.1f%% of the image diagonal\n",
              100 * r.boundary_tolerance);
  if (!r.sheet.empty()) std::printf("worst images: %s\n", r.sheet.c_str());
}

}  // namespace

void register_eval(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<EvalArgs>();
  EvalRequest& q = args->request;
  auto* sub = add_command(app, "eval");
  sub->add_option("--model", q.model, "model file: " + engine_list())->required();
  sub->add_option("--config", q.config, "JSON config whose data split to evaluate on")->check(CLI::ExistingFile);
  sub->add_option("--set", q.overrides, "override a config value: key.path=VALUE");
  sub->add_option("--data", q.data,
                  "dataset instead of a config, repeatable: FORMAT:ROOT[,KEY=VALUE]... or folders:IMAGES,MASKS "
                  "(docs/evaluation.md)");
  sub->add_option("--split", q.split, "with --config: test (default) or train")->check(CLI::IsMember({"test", "train"}));
  sub->add_option("--threshold", q.options.threshold, "probability above which a pixel is person (default 0.5)")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--interpolation", args->interpolation,
                  "resize to the model's input: auto (area when shrinking, else linear; default), area, linear, cubic")
      ->check(CLI::IsMember({"auto", "area", "linear", "cubic"}));
  sub->add_option("--boundary-tolerance", q.options.boundary_tolerance,
                  "boundary F-score tolerance as a fraction of the image diagonal (default 0.008)")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--json", q.json_out, "write the result as one JSON object to this file");
  sub->add_option("--per-image", q.per_image_csv, "write one CSV row per image to this file");
  sub->add_option("--save-masks", q.options.save_masks, "write the predicted masks (0/255 PNG) to this directory");
  sub->add_option("--worst", args->worst, "write a contact sheet of the K lowest-IoU images")
      ->check(CLI::PositiveNumber);
  sub->add_option("--sheet", q.sheet, "with --worst: the contact sheet PNG (default eval_worst.png)");
  add_runtime_options(sub, ctx);
  sub->callback([args, &ctx, sub] {
    if (args->request.config.empty() == args->request.data.empty())
      throw CLI::ValidationError("eval", "give either --config or --data (exactly one)");
    if (!args->request.data.empty() && (sub->get_option("--split")->count() || sub->get_option("--set")->count()))
      throw CLI::ValidationError("eval", "--split and --set go with --config, not --data");
    if (sub->get_option("--sheet")->count() && args->worst == 0)
      throw CLI::ValidationError("eval", "--sheet needs --worst K");
    ctx.run = [args, &ctx] {
      EvalRequest r = args->request;
      r.predictor.device = ctx.runtime.device;
      r.predictor.interpolation = parse_resize_interpolation(args->interpolation);
      r.options.worst = args->worst;
      if (args->worst > 0 && r.sheet.empty()) r.sheet = "eval_worst.png";
      print_report(run_eval(r));
      return 0;
    };
  });
}

}  // namespace pseg::cli
