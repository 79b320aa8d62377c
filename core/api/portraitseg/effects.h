#pragma once
// What to do with a mask: the feathered alpha matte and the compositions `portraitseg test` and `video` write.
// Images are 8-bit BGR; probabilities and alphas are CV_32FC1 in [0, 1] at the image's size.
#include <opencv2/core.hpp>

#include "portraitseg/errors.h"
#include "portraitseg/options.h"

namespace portraitseg {

struct MatteOptions {
  // Probability at which alpha is 0.5 (use ModelInfo::threshold for the model's own), in (0, 1).
  PORTRAITSEG_ARG(float, threshold) = 0.5f;
  // Gaussian feathering radius in pixels; 0 = none.
  PORTRAITSEG_ARG(double, feather_px) = 3.0;
};

// The alpha matte: the probability feathered, then a smoothstep around the threshold.
cv::Mat alpha_matte(const cv::Mat& probability, const MatteOptions& options = MatteOptions());

// The person alone: BGRA with `alpha` as the fourth channel.
cv::Mat cutout(const cv::Mat& bgr, const cv::Mat& alpha);

enum class Harmonize {
  None,           // plain alpha blending
  ColorTransfer,  // the person's LAB colours matched to the new background's
  SeamlessClone,  // OpenCV Poisson blending of the person into the background
};

// The person over `background` (any size: scaled to cover the image and centre-cropped).
cv::Mat replace_background(const cv::Mat& bgr, const cv::Mat& alpha, const cv::Mat& background,
                           Harmonize harmonize = Harmonize::None);
// The person over a solid colour (BGR).
cv::Mat replace_background(const cv::Mat& bgr, const cv::Mat& alpha, const cv::Scalar& colour);

// The person over the image's own background, blurred ("bokeh").
cv::Mat blur_background(const cv::Mat& bgr, const cv::Mat& alpha);

}  // namespace portraitseg
