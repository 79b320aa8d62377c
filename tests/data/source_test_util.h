#pragma once
// Opening one fixture source as the whole train split, and comparing labels with the fixture's masks.
#include <opencv2/core.hpp>

#include "data/dataset.h"

namespace pseg::test {

inline Dataset open_train_only(const SourceConfig& source, OnError on_error = OnError::Strict) {
  DataConfig c;
  c.train = {source};
  c.split.test_fraction = 0;
  c.on_error = on_error;
  return open_dataset(c);
}

inline int count_different(const cv::Mat& a, const cv::Mat& b) { return cv::countNonZero(a != b); }

}  // namespace pseg::test
