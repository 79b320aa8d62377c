#pragma once
// How a decoded mask value becomes a label (0 background, 1 person, 255 ignore).
#include <opencv2/core.hpp>

#include <string>

namespace pseg {

struct MaskRule {
  enum class Kind { Greater, GreaterEqual, Equal, EqualClass };
  Kind kind = Kind::Greater;
  int value = 0;

  // CV_8UC1 class/grey values -> CV_8UC1 labels. Only "==class K" keeps 255 as ignore (class-index masks
  // reserve it for void); the other rules are plain thresholds, so 255 counts as person under ">0".
  cv::Mat apply(const cv::Mat& values) const;
  std::string text() const;
};

// Parses ">N", ">=N", "==N" or "==class K" (0 <= N, K <= 255); throws std::invalid_argument otherwise.
MaskRule parse_mask_rule(const std::string& text);

// The accepted forms, for error messages.
const char* mask_rule_forms();

}  // namespace pseg
