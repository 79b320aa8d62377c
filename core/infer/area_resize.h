#pragma once
// The INTER_AREA shrink of the preprocessing and the effects. OpenCV averages by fractional weights whenever the
// factor is not a whole number (a 1152x896 photo to a 512- or 513-pixel net took 4-5 ms on one core, as long as
// everything else `test` does besides the net); resize_area computes the same pixels about three times faster by
// taking eight source rows at a time through the horizontal step, one SIMD lane each, and splits the output rows over
// OpenCV's threads as cv::resize does. Every other case goes to cv::resize.
#include <opencv2/core.hpp>

namespace pseg {

// Exactly cv::resize(src, dst, to, 0, 0, cv::INTER_AREA), for any image and any positive `to`.
cv::Mat resize_area(const cv::Mat& src, cv::Size to);

// Whether resize_area computes the pixels itself: an 8-bit image of 1 to 4 channels shrunk (or kept) on both axes,
// not both by whole factors (OpenCV's whole-factor path is fast already).
bool resize_area_is_own(const cv::Mat& src, cv::Size to);

}  // namespace pseg
