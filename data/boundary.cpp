#include "data/boundary.h"

#include <opencv2/imgproc.hpp>

#include <vector>

namespace pseg {

cv::Mat boundary_target(const cv::Mat& label) {
  cv::Mat binary = label == 1;
  std::vector<std::vector<cv::Point>> contours;
  std::vector<cv::Vec4i> hierarchy;
  cv::findContours(binary, contours, hierarchy, cv::RETR_TREE, cv::CHAIN_APPROX_SIMPLE);
  cv::Mat edge = cv::Mat::zeros(label.size(), CV_8UC1);
  cv::drawContours(edge, contours, -1, cv::Scalar(1), 4);
  return edge;
}

}  // namespace pseg
