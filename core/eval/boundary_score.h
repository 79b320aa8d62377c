#pragma once
// Boundary quality of a mask: the F-score of its contour against the ground-truth contour within a tolerance
// band (the DAVIS boundary measure), which mIOU hardly sees because contours are few pixels.
#include <opencv2/core.hpp>

namespace pseg {

// Default tolerance as a fraction of the image diagonal (DAVIS: 0.008).
inline constexpr double kBoundaryToleranceFraction = 0.008;

// The tolerance in pixels for an image of `size`: ceil(fraction * diagonal), at least 1.
int boundary_tolerance_px(cv::Size size, double fraction = kBoundaryToleranceFraction);

// pred: 8-bit 0/non-zero; label: 8-bit 0/1/255, same size. Contours are the mask pixels with a 3x3 neighbour
// outside the mask (the image frame is not a contour). Precision: predicted contour pixels within `tolerance_px`
// of a true contour pixel; recall: the converse; F = 2PR / (P + R). Predicted contour pixels on ignore (255)
// pixels do not count. 1 when neither has a contour, 0 when only one has.
double boundary_f_score(const cv::Mat& pred, const cv::Mat& label, int tolerance_px);

}  // namespace pseg
