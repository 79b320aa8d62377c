// portraitseg test: cut the person out of photos (mask, cut-out, new or blurred background, preview) with
// per-image timing. Logic lives in core/photo_runner; a photo that fails is reported and the exit is non-zero.
#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/infer/photo_job.h"
#include "tools/command.h"

namespace pseg::cli {
namespace {

struct TestArgs {
  std::string model;
  PhotoOptions photo;
  std::string effect = "all";
  std::string harmonize = "none";
  std::string interpolation = "auto";
  std::string format = "png";
  std::string compression = "small";
  float threshold = 0.f;
  int workers = 0;
  bool json = false;
};

nlohmann::json to_json(const PhotoResult& r) {
  if (!r.ok()) return {{"input", r.input}, {"error", r.error}};
  const PhotoTiming& t = r.timing;
  return {{"input", r.input},
          {"size", {r.height, r.width}},
          {"foreground", r.foreground},
          {"outputs", r.outputs},
          {"timing_ms",
           {{"decode", t.decode_ms},
            {"preprocess", t.preprocess_ms},
            {"inference", t.inference_ms},
            {"postprocess", t.postprocess_ms},
            {"effects", t.effects_ms},
            {"write", t.write_ms},
            {"total", t.total_ms()}}}};
}

void print_result(const PhotoResult& r) {
  if (!r.ok()) {
    std::cerr << "error: " << r.error << "\n";
    return;
  }
  const PhotoTiming& t = r.timing;
  std::printf("%s  %dx%d  person %.1f%%\n", r.input.c_str(), r.width, r.height, 100.0 * r.foreground);
  std::printf("  decode %.1f ms  preprocess %.1f ms  inference %.1f ms  postprocess %.1f ms  effects %.1f ms  "
              "write %.1f ms  total %.1f ms\n",
              t.decode_ms, t.preprocess_ms, t.inference_ms, t.postprocess_ms, t.effects_ms, t.write_ms, t.total_ms());
  for (const auto& [kind, path] : r.outputs) std::printf("  %-8s %s\n", kind.c_str(), path.c_str());
}

int run_test_cmd(TestArgs& a, const Context& ctx, bool threshold_given) {
  a.photo.effect = parse_photo_effect(a.effect);
  a.photo.harmonize = parse_harmonize(a.harmonize);
  a.photo.format = *image_format_named(a.format);  // one of CLI11's IsMember list
  a.photo.png = *png_compression_named(a.compression);  // likewise
  if (threshold_given) a.photo.threshold = a.threshold;
  PredictorOptions po;
  po.device = ctx.runtime.device;
  po.interpolation = parse_resize_interpolation(a.interpolation);
  const PhotoWorkers plan =
      photo_workers(a.workers, collect_photos(a.photo.inputs).size(), ctx.runtime.threads, ctx.runtime.device);
  const int workers = plan.count;
  po.threads = plan.threads;
  std::vector<std::unique_ptr<Predictor>> copies;
  std::vector<Predictor*> predictors;
  for (int i = 0; i < workers; ++i) predictors.push_back(copies.emplace_back(open_predictor(a.model, po)).get());
  const Predictor* predictor = predictors.front();
  // --json: one object whose "images" are printed as each photo is done, so no result is kept; failures (few)
  // are collected for "failed" and their error lines printed after the object.
  bool opened = false;
  size_t images = 0;
  nlohmann::json failures = nlohmann::json::array();
  const auto open_json = [&] {
    if (opened) return;
    opened = true;
    std::cout << R"({"model":)" << nlohmann::json(a.model).dump() << R"(,"engine":)"
              << nlohmann::json(predictor->engine()).dump() << R"(,"workers":)" << workers << R"(,"images":[)";
  };
  const PhotoSummary summary = run_photos(predictors, a.photo, [&](const PhotoResult& r) {
    if (!a.json) return print_result(r);
    if (!r.ok()) {
      failures.push_back(to_json(r));
      return;
    }
    open_json();
    std::cout << (images++ ? "," : "") << to_json(r).dump();
  });
  if (a.json) {
    open_json();
    std::cout << R"(],"failed":)" << failures.dump() << R"(,"seconds":)" << summary.seconds << "}" << std::endl;
    // After the object's line, so that output and errors read together do not interleave inside it.
    for (const auto& f : failures) std::cerr << "error: " << f.at("error").get<std::string>() << "\n";
  } else {
    std::printf("%zu photo(s) processed with %s (%s, %d worker%s), %zu failed, %.2f s\n", summary.processed,
                a.model.c_str(), predictor->engine().c_str(), workers, workers > 1 ? "s" : "", summary.failed,
                summary.seconds);
  }
  return summary.failed == 0 ? 0 : 1;
}

}  // namespace

void register_test(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<TestArgs>();
  auto& p = args->photo;
  auto* sub = add_command(app, "test");
  sub->add_option("--model", args->model, "model file: " + engine_list())
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("inputs", p.inputs, "images and/or directories of images")->required();
  sub->add_option("--out", p.out_dir, "output directory (default: the current directory)");
  sub->add_option("--effect", args->effect, "mask, cutout, replace, blur or all (default all, with a preview)");
  sub->add_option("--background", p.background, "new background for replace: an image or #RRGGBB (default white)");
  auto* threshold = sub->add_option("--threshold", args->threshold,
                                    "probability threshold in (0, 1) (default: the model's, usually 0.5)");
  sub->add_option("--feather", p.feather_px, "edge feathering radius in pixels (default 3; 0 = none)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--harmonize", args->harmonize,
                  "match the person to the new background: none (default), color (LAB transfer) or seamless");
  sub->add_option("--interpolation", args->interpolation,
                  "resize to the model's input: auto (area when shrinking, else linear; default), area, linear, cubic")
      ->check(CLI::IsMember({"auto", "area", "linear", "cubic"}));
  sub->add_flag("--full-decode", p.full_decode,
                "decode JPEGs at full size before resizing them for the net, as the reference scripts do (by "
                "default one far larger than the net is decoded at 1/2, 1/4 or 1/8 of its size: faster, the mask "
                "differs slightly)");
  sub->add_option("--format", args->format,
                  "the pictures' format: png (default), jpg (quality 90; the cut-out stays PNG, for its alpha) or webp "
                  "(quality 90, lossless with alpha); the mask is always PNG")
      ->check(CLI::IsMember({"png", "jpg", "jpeg", "webp"}));
  sub->add_option("--compression", args->compression,
                  "the PNG pictures' compression: small (default) or fast (about 3 times faster to write, files about "
                  "10 % larger); masks always take their own fast coding")
      ->check(CLI::IsMember({"small", "fast"}));
  sub->add_option("--workers", args->workers,
                  "inference workers, each with its own copy of the model and an equal share of --threads, at most one "
                  "per photo (default 0 = automatic: 2 on the CPU for 4 photos or more and 2 threads or more, else 1)")
      ->check(CLI::Range(0, 64));
  sub->add_flag("--json", args->json, "print exactly one JSON object");
  add_runtime_options(sub, ctx);
  sub->callback([args, &ctx, threshold] {
    const bool given = threshold->count() > 0;
    if (given && !(args->threshold > 0.f && args->threshold < 1.f))
      throw CLI::ValidationError("--threshold", "expected a value in (0, 1), got " + std::to_string(args->threshold));
    ctx.run = [args, &ctx, given] { return run_test_cmd(*args, ctx, given); };
    ctx.runs_here = [args, &ctx] { return ctx.runtime.device == "cpu" && has_engine_for(args->model); };
  });
}

}  // namespace pseg::cli
