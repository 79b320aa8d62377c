#pragma once
// core/datasets: the job behind `portraitseg data` and the glue between configs, nets and the data library.
// `portraitseg data` opens a config's datasets, checks every pair and reports on them, optionally drawing a
// preview of augmented training examples.
#include <cstddef>
#include <string>
#include <vector>

#include "core/datasets/dataset_report.h"

namespace pseg {

struct DataRequest {
  std::string config;
  std::vector<std::string> overrides;  // --set key.path=VALUE
  std::string preview;                 // image file for the preview grid ("" = none)
  size_t preview_count = 8;
};

// Throws ConfigError for a config without a data section, std::runtime_error for unreadable datasets or a preview
// that cannot be written.
DatasetReport run_data(const DataRequest& request);

}  // namespace pseg
