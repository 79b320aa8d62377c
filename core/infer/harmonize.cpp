#include "core/infer/harmonize.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include <stdexcept>

#include "core/infer/effects.h"

namespace pseg {
namespace {

cv::Mat person_mask(const cv::Mat& alpha) {
  cv::Mat mask;
  cv::threshold(alpha, mask, 0.5, 255, cv::THRESH_BINARY);
  mask.convertTo(mask, CV_8U);
  return mask;
}

}  // namespace

Harmonize parse_harmonize(const std::string& text) {
  if (text == "none") return Harmonize::None;
  if (text == "color") return Harmonize::ColorTransfer;
  if (text == "seamless") return Harmonize::SeamlessClone;
  throw std::invalid_argument("harmonize \"" + text + "\": expected none, color or seamless");
}

cv::Mat lab_color_transfer(const cv::Mat& bgr, const cv::Mat& alpha, const cv::Mat& reference) {
  const cv::Mat mask = person_mask(alpha);
  if (cv::countNonZero(mask) == 0) return bgr.clone();
  cv::Mat lab, ref_lab;
  // Float LAB (L 0..100, a/b about -127..127) keeps the statistics free of 8-bit rounding.
  bgr.convertTo(lab, CV_32FC3, 1.0 / 255);
  cv::cvtColor(lab, lab, cv::COLOR_BGR2Lab);
  reference.convertTo(ref_lab, CV_32FC3, 1.0 / 255);
  cv::cvtColor(ref_lab, ref_lab, cv::COLOR_BGR2Lab);
  cv::Scalar mean, dev, ref_mean, ref_dev;
  cv::meanStdDev(lab, mean, dev, mask);
  cv::meanStdDev(ref_lab, ref_mean, ref_dev);
  std::vector<cv::Mat> planes;
  cv::split(lab, planes);
  for (int c = 0; c < 3; ++c) {
    const double gain = dev[c] > 1e-6 ? ref_dev[c] / dev[c] : 1.0;
    planes[c] = (planes[c] - mean[c]) * gain + ref_mean[c];
  }
  cv::merge(planes, lab);
  cv::cvtColor(lab, lab, cv::COLOR_Lab2BGR);
  cv::Mat out;
  lab.convertTo(out, CV_8UC3, 255.0);
  bgr.copyTo(out, ~mask);
  return out;
}

cv::Mat seamless_composite(const cv::Mat& bgr, const cv::Mat& alpha, const cv::Mat& background) {
  const cv::Mat mask = person_mask(alpha);
  if (cv::countNonZero(mask) == 0) return background.clone();
  // seamlessClone needs the mask's bounding box strictly inside the destination; people touch the frame's
  // edges, so clone into a copy with a border and crop it off again.
  constexpr int kBorder = 2;
  cv::Mat src, dst, m;
  cv::copyMakeBorder(bgr, src, kBorder, kBorder, kBorder, kBorder, cv::BORDER_REPLICATE);
  cv::copyMakeBorder(background, dst, kBorder, kBorder, kBorder, kBorder, cv::BORDER_REPLICATE);
  cv::copyMakeBorder(mask, m, kBorder, kBorder, kBorder, kBorder, cv::BORDER_CONSTANT, 0);
  const cv::Rect box = cv::boundingRect(m);
  // seamlessClone places the mask's bounding box at (p.x - width / 2, p.y - height / 2): this keeps it in place.
  const cv::Point centre(box.x + box.width / 2, box.y + box.height / 2);
  cv::Mat out;
  cv::seamlessClone(src, dst, m, centre, out, cv::NORMAL_CLONE);
  return out(cv::Rect(kBorder, kBorder, bgr.cols, bgr.rows)).clone();
}

cv::Mat replace_background(const cv::Mat& bgr, const cv::Mat& alpha, const cv::Mat& background, Harmonize harmonize) {
  switch (harmonize) {
    case Harmonize::None: return blend_over(bgr, alpha, background);
    case Harmonize::ColorTransfer: return blend_over(lab_color_transfer(bgr, alpha, background), alpha, background);
    case Harmonize::SeamlessClone: return seamless_composite(bgr, alpha, background);
  }
  throw std::invalid_argument("replace_background: unknown harmonisation");
}

}  // namespace pseg
