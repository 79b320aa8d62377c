#pragma once
// The per-sample images a geometric transform must move together: drawn once, applied to all of them.
#include <opencv2/core.hpp>

namespace pseg {

struct Planes {
  cv::Mat image;  // CV_8UC3 BGR
  cv::Mat label;  // CV_8UC1 0/1/255
  cv::Mat soft;   // CV_32FC1 or empty
  cv::Mat prior;  // CV_32FC1 or empty
};

}  // namespace pseg
