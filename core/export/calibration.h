#pragma once
// int8 calibration: the images activation ranges are measured on, and the ranges themselves, observed while the
// fp32 graph runs in the LibTorch ONNX executor.
#include <torch/types.h>

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/export/onnx_int8.h"
#include "core/export/precision.h"
#include "core/model_io/model_meta.h"
#include "core/onnx_exec/onnx_executor.h"

namespace pseg {

struct CalibrationSet {
  std::string spec;
  size_t available = 0;              // images in the set
  std::vector<torch::Tensor> inputs; // [1, C, H, W], preprocessed as the model's metadata says
};

// Up to `count` images of the data spec, evenly spaced over the set, preprocessed for `meta` (4-channel models get
// an empty prior). Throws std::invalid_argument for a malformed spec, std::runtime_error naming the spec when the
// set is empty or unreadable.
CalibrationSet load_calibration_set(const std::string& spec, int64_t count, const ModelMeta& meta);

// The range of each named activation over the set: the overall min/max, or the mean over images of the lower and
// upper `percentile` (in %) quantiles.
std::map<std::string, ActivationRange> calibrate_ranges(const OnnxExecutor& fp32, const CalibrationSet& set,
                                                        const std::vector<std::string>& names,
                                                        CalibrationMethod method, double percentile);

// The largest magnitude of every floating value of the graph over `inputs` (fp16's range check).
std::unordered_map<std::string, double> observe_max_abs(const OnnxExecutor& fp32, const std::vector<torch::Tensor>& inputs);

}  // namespace pseg
