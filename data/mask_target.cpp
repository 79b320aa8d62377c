#include "data/mask_target.h"

#include <opencv2/imgproc.hpp>

namespace pseg {

cv::Mat majority_filter_5x5(const cv::Mat& label) {
  cv::Mat person = (label == 1) / 255, sum;
  cv::boxFilter(person, sum, CV_32S, cv::Size(5, 5), cv::Point(-1, -1), /*normalize=*/false, cv::BORDER_REFLECT_101);
  cv::Mat out = cv::Mat::zeros(label.size(), CV_8UC1);
  out.setTo(1, sum >= 13);
  out.setTo(255, label == 255);
  return out;
}

cv::Mat threshold_normalized(const cv::Mat& mask_f) {
  cv::Mat norm;
  cv::normalize(mask_f, norm, 0.0, 1.0, cv::NORM_MINMAX, CV_32F);
  cv::Mat out = cv::Mat::zeros(mask_f.size(), CV_8UC1);
  out.setTo(1, norm >= 0.5f);
  return out;
}

}  // namespace pseg
