#pragma once
// Harmonisation of a person pasted onto a new background, after the reference project's "portrait filters":
// LAB colour transfer and OpenCV seamless clone. Images 8-bit BGR, alpha CV_32FC1 in [0, 1], all the same size.
#include <opencv2/core.hpp>

#include <string>

namespace pseg {

enum class Harmonize {
  None,
  ColorTransfer,  // match the foreground's LAB mean and deviation to the background's
  SeamlessClone,  // OpenCV Poisson blending of the person into the background
};
// "none" | "color" | "seamless"; throws std::invalid_argument naming the accepted values.
Harmonize parse_harmonize(const std::string& text);

// Reinhard colour transfer in LAB: the pixels of `bgr` where alpha > 0.5 are shifted and scaled so that their
// per-channel LAB mean and standard deviation match those of `reference`. Returns the whole recoloured image.
cv::Mat lab_color_transfer(const cv::Mat& bgr, const cv::Mat& alpha, const cv::Mat& reference);

// The person (alpha > 0.5) cloned into `background` (same size) with cv::seamlessClone, NORMAL_CLONE.
cv::Mat seamless_composite(const cv::Mat& bgr, const cv::Mat& alpha, const cv::Mat& background);

// Background replacement with optional harmonisation: blend_over, after colour transfer, or seamless clone.
cv::Mat replace_background(const cv::Mat& bgr, const cv::Mat& alpha, const cv::Mat& background, Harmonize harmonize);

}  // namespace pseg
