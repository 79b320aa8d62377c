#pragma once
// Mask targets of PortraitNet (§6.1 step 8).
#include <opencv2/core.hpp>

namespace pseg {

// 5x5 majority filter of the person map (1 iff >= 13 of the 25 neighbours are 1, border reflect-101), the
// effect of the reference's blur + threshold; ignore (255) pixels stay ignore.
cv::Mat majority_filter_5x5(const cv::Mat& label);

// Float-mask path: min-max normalise to [0,1], then >= 0.5 -> 1. A constant mask maps to 0.
cv::Mat threshold_normalized(const cv::Mat& mask_f);

}  // namespace pseg
