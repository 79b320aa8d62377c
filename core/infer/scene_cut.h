#pragma once
// Scene-cut detection for the temporal prior: after a cut the previous frame's mask describes another scene, so
// the prior (and any smoothing) must start afresh. A cut is a frame whose 64-pixel-wide grey thumbnail differs
// from the previous frame's by more than `threshold` grey levels on average (0..255). Camera motion and a person
// moving change a few levels; a cut to another shot changes tens.
#include <opencv2/core.hpp>

namespace pseg {

constexpr double kDefaultSceneCutThreshold = 30.0;

class SceneCutDetector {
 public:
  explicit SceneCutDetector(double threshold = kDefaultSceneCutThreshold) : threshold_(threshold) {}

  // True when `bgr` starts a new scene; the first frame is not a cut. Frames must be 8-bit BGR.
  bool is_cut(const cv::Mat& bgr);
  // Mean absolute thumbnail difference of the last frame to the one before (0 for the first frame).
  double last_difference() const { return last_difference_; }

 private:
  double threshold_;
  cv::Mat previous_;
  double last_difference_ = 0;
};

}  // namespace pseg
