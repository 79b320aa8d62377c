#include "core/infer/photo_job.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "core/common/atomic_file.h"
#include "core/common/stopwatch.h"
#include "data/file_walk.h"
#include "data/image_io.h"

namespace pseg {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

bool wants(PhotoEffect chosen, PhotoEffect effect) { return chosen == PhotoEffect::All || chosen == effect; }

class PhotoJob {
 public:
  PhotoJob(Predictor& predictor, const PhotoOptions& options)
      : predictor_(predictor), options_(options) {
    feather_.threshold = options.threshold.value_or(predictor.meta().threshold);
    feather_.feather_px = options.feather_px;
    if (!(feather_.threshold > 0.f && feather_.threshold < 1.f))
      throw std::invalid_argument("--threshold " + std::to_string(feather_.threshold) + ": expected a value in (0, 1)");
    if (!(options.feather_px >= 0)) throw std::invalid_argument("--feather: expected >= 0 pixels");
    background_ = options.background ? Background::parse(*options.background)
                                     : Background::colour(cv::Scalar(255, 255, 255));
    std::error_code ec;
    fs::create_directories(options.out_dir, ec);
    if (!fs::is_directory(options.out_dir))
      throw std::runtime_error(options.out_dir + ": cannot create the output directory");
  }

  PhotoResult run(const std::string& path) {
    PhotoResult r;
    r.input = path;
    try {
      process(path, r);
    } catch (const std::exception& e) {
      r.error = e.what();
      r.outputs.clear();
    }
    return r;
  }

 private:
  void process(const std::string& path, PhotoResult& r) {
    auto t0 = Clock::now();
    if (!fs::is_regular_file(path)) throw std::runtime_error(path + ": no such file");
    const cv::Mat bgr = read_image(path, cv::IMREAD_COLOR);
    r.timing.decode_ms = ms_since(t0);
    r.width = bgr.cols;
    r.height = bgr.rows;

    const Prediction prediction = predictor_.predict(bgr);
    r.timing.preprocess_ms = prediction.timing.preprocess_ms;
    r.timing.inference_ms = prediction.timing.inference_ms;
    r.timing.postprocess_ms = prediction.timing.postprocess_ms;
    const cv::Mat& probability = prediction.probability;
    r.foreground = cv::countNonZero(probability > feather_.threshold) / static_cast<double>(probability.total());

    t0 = Clock::now();
    const PhotoEffect chosen = options_.effect;
    std::vector<std::pair<std::string, cv::Mat>> images;
    if (wants(chosen, PhotoEffect::Mask)) images.emplace_back("mask", to_mask8(probability));
    if (chosen != PhotoEffect::Mask) {
      const cv::Mat alpha = feathered_alpha(probability, feather_);
      if (wants(chosen, PhotoEffect::Cutout)) images.emplace_back("cutout", cutout_rgba(bgr, alpha));
      cv::Mat replaced, blurred;
      if (wants(chosen, PhotoEffect::Replace)) {
        replaced = replace_background(bgr, alpha, background_.at(bgr.size()), options_.harmonize);
        images.emplace_back("replace", replaced);
      }
      if (wants(chosen, PhotoEffect::Blur)) {
        blurred = blur_background(bgr, alpha);
        images.emplace_back("blur", blurred);
      }
      if (chosen == PhotoEffect::All)
        images.emplace_back("preview", side_by_side(bgr, alpha, options_.background ? replaced : blurred));
    }
    r.timing.effects_ms = ms_since(t0);

    t0 = Clock::now();
    const std::string stem = fs::path(path).stem().string();
    const std::vector<int> png_params = {cv::IMWRITE_PNG_COMPRESSION, 1};
    for (const auto& [kind, image] : images) {
      const std::string out = (fs::path(options_.out_dir) / (stem + "_" + kind + ".png")).string();
      write_image_atomic(out, image, png_params);
      r.outputs[kind] = out;
    }
    r.timing.write_ms = ms_since(t0);
  }

  Predictor& predictor_;
  const PhotoOptions& options_;
  FeatherOptions feather_;
  Background background_ = Background::colour(cv::Scalar());
};

}  // namespace

PhotoEffect parse_photo_effect(const std::string& text) {
  if (text == "mask") return PhotoEffect::Mask;
  if (text == "cutout") return PhotoEffect::Cutout;
  if (text == "replace") return PhotoEffect::Replace;
  if (text == "blur") return PhotoEffect::Blur;
  if (text == "all") return PhotoEffect::All;
  throw std::invalid_argument("effect \"" + text + "\": expected mask, cutout, replace, blur or all");
}

std::vector<std::string> collect_photos(const std::vector<std::string>& inputs) {
  std::vector<std::string> out;
  for (const auto& input : inputs) {
    if (!fs::is_directory(input)) {
      out.push_back(input);
      continue;
    }
    for (const auto& image : list_images(input, false)) out.push_back(image.string());
  }
  return out;
}

PhotoSummary run_photos(Predictor& predictor, const PhotoOptions& options,
                        const std::function<void(const PhotoResult&)>& on_result) {
  PhotoJob job(predictor, options);
  const std::vector<std::string> photos = collect_photos(options.inputs);
  if (photos.empty()) throw std::runtime_error("no images found in the given directories");
  PhotoSummary summary;
  for (const auto& path : photos) {
    const PhotoResult result = job.run(path);
    ++(result.ok() ? summary.processed : summary.failed);
    if (on_result) on_result(result);
  }
  return summary;
}

}  // namespace pseg
