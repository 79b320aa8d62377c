#pragma once
// Per-frame masks for video: the temporal prior of 4-channel models, frame skipping and exponential smoothing.
//  * Models with a prior channel get the previous net run's full net-size probability (not thresholded, not
//    cropped back; nets.md §5) as channel 4; zeros on the first frame and after a scene cut.
//  * `every` N: the net runs on every N-th frame (and on every scene cut); frames in between reuse the last mask.
//  * `smooth` A: mask_t = A * mask_{t-1} + (1 - A) * net output, restarted at scene cuts. Meant for 3-channel
//    models; with a prior model the prior stays the raw net output.
#include <opencv2/core.hpp>

#include <cstdint>

#include "core/infer/predictor.h"

namespace pseg {

struct TemporalOptions {
  int every = 1;       // >= 1
  double smooth = 0;   // in [0, 1); 0 = off
};

// What happened on one frame, for progress, reports and tests.
struct FrameMask {
  cv::Mat probability;   // CV_32FC1 at the frame's size, after smoothing
  bool net_run = false;  // false: the previous mask was reused (frame skip)
  bool prior_fed = false;  // a non-empty previous-frame prior went into the net
  PredictTiming timing;  // zeros on reused frames
};

class TemporalMasker {
 public:
  // Throws std::invalid_argument for every < 1 or smooth outside [0, 1).
  TemporalMasker(Predictor& predictor, const TemporalOptions& options);

  // The mask of the next frame (8-bit BGR). `scene_cut` drops the prior and the smoothing state and forces a run.
  FrameMask next(const cv::Mat& bgr, bool scene_cut);

  bool uses_prior() const { return uses_prior_; }

 private:
  Predictor& predictor_;
  TemporalOptions options_;
  bool uses_prior_;
  int64_t since_run_ = 0;
  cv::Mat prior_blob_;   // 1 x 1 x H x W net-size probability of the last run; empty = no prior
  cv::Mat mask_;         // last frame's mask at frame size
};

}  // namespace pseg
