#pragma once
// PortraitNet boundary target (§6.1 step 9).
#include <opencv2/core.hpp>

namespace pseg {

// Contours of the person map (findContours RETR_TREE / CHAIN_APPROX_SIMPLE) drawn with value 1 and
// thickness 4 on zeros: a CV_8UC1 0/1 band about 4 px wide centred on the mask edge.
cv::Mat boundary_target(const cv::Mat& label);

}  // namespace pseg
