#include "core/eval/boundary_score.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pseg {
namespace {

cv::Mat contour_of(const cv::Mat& mask) {
  cv::Mat eroded;
  cv::erode(mask, eroded, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));
  return mask & ~eroded;
}

cv::Mat band_around(const cv::Mat& contour, int tolerance_px) {
  cv::Mat band;
  const int d = 2 * tolerance_px + 1;
  cv::dilate(contour, band, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(d, d)));
  return band;
}

}  // namespace

int boundary_tolerance_px(cv::Size size, double fraction) {
  const double diagonal = std::hypot(size.width, size.height);
  return std::max(1, static_cast<int>(std::ceil(fraction * diagonal - 1e-9)));  // 0.008 * 500 is 4, not 5
}

double boundary_f_score(const cv::Mat& pred, const cv::Mat& label, int tolerance_px) {
  if (pred.size() != label.size() || pred.type() != CV_8UC1 || label.type() != CV_8UC1)
    throw std::invalid_argument("boundary_f_score: prediction and label must be 8-bit single-channel maps of one size");
  if (tolerance_px < 0) throw std::invalid_argument("boundary_f_score: tolerance must be >= 0");
  const cv::Mat truth_contour = contour_of(label == 1);
  const cv::Mat pred_contour = contour_of(pred != 0) & (label != 255);
  const double n_pred = cv::countNonZero(pred_contour), n_truth = cv::countNonZero(truth_contour);
  if (n_pred == 0 && n_truth == 0) return 1.0;
  if (n_pred == 0 || n_truth == 0) return 0.0;
  const double precision = cv::countNonZero(pred_contour & band_around(truth_contour, tolerance_px)) / n_pred;
  const double recall = cv::countNonZero(truth_contour & band_around(pred_contour, tolerance_px)) / n_truth;
  return precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
}

}  // namespace pseg
