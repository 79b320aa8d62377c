#pragma once
// Opens the configured dataset sources, checks every pair once, splits train/test and mixes train sources by
// weight. See docs/data.md for the semantics of on_error, split and weight.
#include <opencv2/core.hpp>

#include <memory>
#include <string>
#include <vector>

#include "data/data_config.h"
#include "data/sample.h"

namespace pseg {

struct Rejection {
  std::string file;    // the pair's image (or mask, when there is no image)
  std::string reason;  // one line that starts with the faulty file
};

struct SourceReport {
  std::string name;    // "folders data/images", "voc data/VOC2012", ...
  std::string format;
  double weight = 1.0;
  size_t pairs = 0;     // usable pairs of this source in this split
  size_t rejected = 0;  // pairs of this source rejected when opened
  cv::Size min_size, max_size;  // image size range over the usable pairs
  double mean_foreground = 0;   // mean over pairs of person pixels / non-ignore pixels
};

struct SplitReport {
  size_t pairs = 0;    // usable pairs
  size_t samples = 0;  // indices the split's SampleSource yields (pairs repeated by weight for train)
  std::vector<Rejection> rejected;
  std::vector<SourceReport> sources;
};

struct DatasetReport {
  SplitReport train, test;
  bool held_out = false;  // test was split off the train sources by split.test_fraction
};

struct Dataset {
  std::shared_ptr<const SampleSource> train;  // never null; empty when no train source is configured
  std::shared_ptr<const SampleSource> test;   // never null; empty when there is no test split
  DatasetReport report;
};

// Throws std::invalid_argument for configuration problems (unknown format, bad option, no sources) and
// std::runtime_error for data problems: in strict mode the first bad pair, in either mode a source with no
// usable pair. Each pair is decoded once here (in parallel) to check it and to gather the report's statistics.
Dataset open_dataset(const DataConfig& config);

}  // namespace pseg
