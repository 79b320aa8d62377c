#include "core/infer/temporal_mask.h"

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>

#include "core/common/stopwatch.h"

namespace pseg {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

TemporalMasker::TemporalMasker(Predictor& predictor, const TemporalOptions& options)
    : predictor_(predictor), options_(options), uses_prior_(predictor.meta().prior_channel) {
  if (options.every < 1) throw std::invalid_argument("--every " + std::to_string(options.every) + ": expected >= 1");
  if (!(options.smooth >= 0 && options.smooth < 1))
    throw std::invalid_argument("--smooth " + std::to_string(options.smooth) + ": expected a value in [0, 1)");
}

FrameMask TemporalMasker::next(const cv::Mat& bgr, bool scene_cut) {
  FrameMask out;
  if (scene_cut) {
    prior_blob_.release();
    mask_.release();
  }
  const bool run = mask_.empty() || mask_.size() != bgr.size() || since_run_ + 1 >= options_.every;
  if (!run) {
    ++since_run_;
    out.probability = mask_;
    return out;
  }
  since_run_ = 0;
  out.net_run = true;

  auto t0 = Clock::now();
  cv::Mat blob = predictor_.preprocess(bgr);
  if (uses_prior_ && !prior_blob_.empty()) {
    // preprocess() filled channel 4 with zeros; put the previous run's net-size probability there.
    if (blob.dims != 4 || blob.size[1] != 4 || prior_blob_.total() != blob.total() / 4)
      throw std::runtime_error(predictor_.path() + ": prior model without a 4-channel input of the output's size");
    const size_t plane = static_cast<size_t>(blob.size[2]) * blob.size[3];
    std::memcpy(blob.ptr<float>() + 3 * plane, prior_blob_.ptr<float>(), plane * sizeof(float));
    out.prior_fed = true;
  }
  out.timing.preprocess_ms = ms_since(t0);

  t0 = Clock::now();
  cv::Mat probability_blob = predictor_.infer(blob);
  out.timing.inference_ms = ms_since(t0);

  t0 = Clock::now();
  if (uses_prior_) prior_blob_ = probability_blob.clone();
  cv::Mat p = predictor_.postprocess(probability_blob, bgr.size());
  if (options_.smooth > 0 && !mask_.empty() && mask_.size() == p.size())
    cv::addWeighted(mask_, options_.smooth, p, 1 - options_.smooth, 0, p);
  mask_ = p;
  out.timing.postprocess_ms = ms_since(t0);
  out.probability = mask_;
  return out;
}

}  // namespace pseg
