#include "core/infer/predictor.h"

#include <opencv2/imgproc.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "core/infer/area_resize.h"
#include "core/infer/engine_registry.h"
#include "data/planes.h"
#include "data/resize.h"
#include "core/common/stopwatch.h"

namespace pseg {
namespace {

using Clock = std::chrono::steady_clock;

int cv_interpolation(ResizeInterpolation mode, cv::Size from, cv::Size to) {
  switch (mode) {
    case ResizeInterpolation::Area: return cv::INTER_AREA;
    case ResizeInterpolation::Linear: return cv::INTER_LINEAR;
    case ResizeInterpolation::Cubic: return cv::INTER_CUBIC;
    case ResizeInterpolation::Auto: break;
  }
  return to.width <= from.width && to.height <= from.height ? cv::INTER_AREA : cv::INTER_LINEAR;
}

void check_image(const cv::Mat& bgr) {
  if (bgr.empty()) throw std::invalid_argument("predict: empty image");
  if (bgr.type() != CV_8UC3)
    throw std::invalid_argument("predict: expected an 8-bit 3-channel BGR image, got type " +
                                std::to_string(bgr.type()) + " with " + std::to_string(bgr.channels()) + " channels");
}

// The prior at the image's size, CV_32FC1; empty stays empty (zeros are written later).
cv::Mat prior_at(const cv::Mat& prior, cv::Size size) {
  if (prior.empty()) return prior;
  if (prior.type() != CV_32FC1)
    throw std::invalid_argument("predict: the prior must be a CV_32FC1 probability map, got type " +
                                std::to_string(prior.type()));
  if (prior.size() == size) return prior;
  cv::Mat out;
  cv::resize(prior, out, size, 0, 0, cv::INTER_LINEAR);
  return out;
}

bool pads_to_square(const ModelMeta& m) { return m.resize == "pad_to_square"; }

}  // namespace

std::string to_string(ResizeInterpolation interpolation) {
  switch (interpolation) {
    case ResizeInterpolation::Auto: return "auto";
    case ResizeInterpolation::Area: return "area";
    case ResizeInterpolation::Linear: return "linear";
    case ResizeInterpolation::Cubic: return "cubic";
  }
  return "?";
}

ResizeInterpolation parse_resize_interpolation(const std::string& s) {
  if (s == "auto") return ResizeInterpolation::Auto;
  if (s == "area") return ResizeInterpolation::Area;
  if (s == "linear") return ResizeInterpolation::Linear;
  if (s == "cubic") return ResizeInterpolation::Cubic;
  throw std::invalid_argument("interpolation: expected \"auto\", \"area\", \"linear\" or \"cubic\", got \"" + s + "\"");
}

cv::Mat Predictor::preprocess(const cv::Mat& bgr, const cv::Mat& prior) const {
  return preprocess_image(bgr, prior, meta_, options_.interpolation);
}

cv::Mat preprocess_image(const cv::Mat& bgr, const cv::Mat& prior, const ModelMeta& m,
                         ResizeInterpolation interpolation) {
  check_image(bgr);
  const bool with_prior = m.channels == 4;
  Planes p{bgr, cv::Mat(), cv::Mat(), with_prior ? prior_at(prior, bgr.size()) : cv::Mat()};
  if (pads_to_square(m)) pad_to_square(p, m.pad_value);
  const cv::Size size(static_cast<int>(m.width), static_cast<int>(m.height));
  if (p.image.size() != size) {
    const int interp = cv_interpolation(interpolation, p.image.size(), size);
    if (interp == cv::INTER_AREA) {
      p.image = resize_area(p.image, size);
    } else {
      cv::resize(p.image, p.image, size, 0, 0, interp);
    }
    if (!p.prior.empty()) cv::resize(p.prior, p.prior, size, 0, 0, interp);
  }

  const int dims[4] = {1, static_cast<int>(m.channels), size.height, size.width};
  cv::Mat blob(4, dims, CV_32F);
  const size_t plane = static_cast<size_t>(size.area());
  float* dst = blob.ptr<float>();
  write_normalised(p.image, input_format_of(m), dst);
  if (with_prior) {
    float* out = dst + 3 * plane;
    if (p.prior.empty()) {
      std::fill(out, out + plane, 0.f);
    } else {
      for (int y = 0; y < size.height; ++y) out = std::copy_n(p.prior.ptr<float>(y), size.width, out);
    }
  }
  return blob;
}

cv::Mat Predictor::postprocess(const cv::Mat& probability_blob, cv::Size size) const {
  if (probability_blob.dims != 4 || probability_blob.type() != CV_32F || probability_blob.size[0] != 1 ||
      probability_blob.size[1] != 1)
    throw std::invalid_argument("postprocess: expected a 1 x 1 x H x W CV_32F probability blob");
  if (size.width <= 0 || size.height <= 0) throw std::invalid_argument("postprocess: target size must be positive");
  const cv::Mat map(probability_blob.size[2], probability_blob.size[3], CV_32F,
                    const_cast<float*>(probability_blob.ptr<float>()));
  cv::Mat out;
  if (!pads_to_square(meta_)) {
    cv::resize(map, out, size, 0, 0, cv::INTER_LINEAR);
    return out;
  }
  // Back to the padded square, then the content window pad_to_square placed there.
  const int side = std::max(size.width, size.height);
  cv::Mat square;
  cv::resize(map, square, cv::Size(side, side), 0, 0, cv::INTER_LINEAR);
  const cv::Rect content((side - size.width) / 2, (side - size.height) / 2, size.width, size.height);
  return square(content).clone();
}

Prediction Predictor::predict(const cv::Mat& bgr, const cv::Mat& prior, cv::Size output_size) {
  Prediction p;
  auto t0 = Clock::now();
  const cv::Mat blob = preprocess(bgr, prior);
  p.timing.preprocess_ms = ms_since(t0);
  t0 = Clock::now();
  const cv::Mat out = infer(blob);
  p.timing.inference_ms = ms_since(t0);
  t0 = Clock::now();
  p.probability = postprocess(out, bgr.size());
  // From the reduced photo's frame to the full one: the same pixels, finer.
  if (!output_size.empty() && output_size != bgr.size())
    cv::resize(p.probability, p.probability, output_size, 0, 0, cv::INTER_LINEAR);
  p.timing.postprocess_ms = ms_since(t0);
  return p;
}

bool Predictor::takes_any_batch() const {
  return meta_.dynamic_batch || !engine_registry().at(engine_, "engine").fixed_batch;
}

std::vector<cv::Mat> Predictor::predict_batch(const std::vector<cv::Mat>& images) {
  std::vector<cv::Mat> out;
  if (images.size() < 2 || !takes_any_batch()) {
    for (const auto& image : images) out.push_back(predict(image).probability);
    return out;
  }
  const cv::Mat first = preprocess(images[0]);
  const size_t per_image = first.total();
  const int dims[4] = {static_cast<int>(images.size()), first.size[1], first.size[2], first.size[3]};
  cv::Mat batch(4, dims, CV_32F);
  for (size_t i = 0; i < images.size(); ++i) {
    const cv::Mat blob = i == 0 ? first : preprocess(images[i]);
    std::copy_n(blob.ptr<float>(), per_image, batch.ptr<float>() + i * per_image);
  }
  const cv::Mat probabilities = infer(batch);
  const int one[4] = {1, 1, probabilities.size[2], probabilities.size[3]};
  const size_t plane = static_cast<size_t>(one[2]) * one[3];
  for (size_t i = 0; i < images.size(); ++i) {
    const cv::Mat slice(4, one, CV_32F, const_cast<float*>(probabilities.ptr<float>()) + i * plane);
    out.push_back(postprocess(slice, images[i].size()));
  }
  return out;
}

std::unique_ptr<Predictor> open_predictor(const std::string& model_path, const PredictorOptions& options) {
  const std::vector<const EngineEntry*> engines = options.engine.empty()
                                                      ? engines_for_file(model_path)
                                                      : std::vector{&engine_for_file(model_path, options.engine)};
  if (!std::filesystem::is_regular_file(model_path)) throw std::runtime_error(model_path + ": no such model file");
  // The engine named, or the preferred one and the next where it cannot run the graph (an op it lacks); the first
  // error when none opens it.
  std::exception_ptr first_error;
  for (const EngineEntry* engine : engines) {
    try {
      return engine->open(model_path, options);
    } catch (const std::runtime_error& e) {
      if (!first_error) first_error = std::current_exception();
      if (engine != engines.back())
        spdlog::debug("engine {} cannot open {} ({}); trying the next", engine->name, model_path, e.what());
    }
  }
  std::rethrow_exception(first_error);
}

}  // namespace pseg
