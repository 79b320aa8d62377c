#include "core/infer/scene_cut.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

#include "core/infer/area_resize.h"

namespace pseg {

bool SceneCutDetector::is_cut(const cv::Mat& bgr) {
  constexpr int kThumbWidth = 64;
  const int h = std::max(1, bgr.rows * kThumbWidth / std::max(1, bgr.cols));
  cv::Mat grey;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  const cv::Mat thumb = resize_area(grey, cv::Size(kThumbWidth, h));
  const bool first = previous_.empty() || previous_.size() != thumb.size();
  last_difference_ = first ? 0.0 : cv::norm(thumb, previous_, cv::NORM_L1) / static_cast<double>(thumb.total());
  previous_ = thumb;
  return !first && last_difference_ > threshold_;
}

}  // namespace pseg
