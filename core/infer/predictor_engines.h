#pragma once
// The tensor <-> blob glue the torch-based engines share. Internal to core/infer: callers use
// core/infer/predictor.h.
#include <opencv2/core.hpp>
#include <torch/types.h>

#include <memory>
#include <string>

#include "core/infer/engine_blob.h"
#include "core/infer/engine_registry.h"
#include "core/infer/predictor.h"

namespace pseg {

// Runs LibTorch's intra-op work of the calling thread on `threads` threads (PredictorOptions::threads; 0 = as it
// is). LibTorch's count is the process's: it applies it to a thread's OpenMP setting on that thread's first
// parallel work, so a worker thread must set it too.
void use_torch_threads(int threads);

// A float tensor on `device` holding a copy of the 4-D CV_32F `blob`.
torch::Tensor tensor_from_blob(const cv::Mat& blob, const torch::Device& device);
// A 4-D CV_32F blob holding a copy of `t` (any device, any floating or integer type).
cv::Mat blob_from_tensor(const torch::Tensor& t);

}  // namespace pseg
