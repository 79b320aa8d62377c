#pragma once
// The three Predictor engines behind open_predictor (core/predictor.cpp), and the tensor <-> blob glue the
// torch-based ones share. Internal to core: callers use core/predictor.h.
#include <opencv2/core.hpp>
#include <torch/types.h>

#include <memory>
#include <string>

#include "core/predictor.h"

namespace pseg {

std::unique_ptr<Predictor> open_libtorch_predictor(const std::string& path, const PredictorOptions& options);
std::unique_ptr<Predictor> open_torchscript_predictor(const std::string& path, const PredictorOptions& options);
std::unique_ptr<Predictor> open_opencv_predictor(const std::string& path, const PredictorOptions& options);

// Throws std::invalid_argument unless `blob` is a 4-D CV_32F N x C x H x W blob at the size `meta` names.
void check_input_blob(const cv::Mat& blob, const ModelMeta& meta);

// A float tensor on `device` holding a copy of the 4-D CV_32F `blob`.
torch::Tensor tensor_from_blob(const cv::Mat& blob, const torch::Device& device);
// A 4-D CV_32F blob holding a copy of `t` (any device, any floating or integer type).
cv::Mat blob_from_tensor(const torch::Tensor& t);

// The foreground probability [N, 1, H, W] from what a graph with head `meta.output` returned.
torch::Tensor probability_from_output(const torch::Tensor& output, const ModelMeta& meta);

}  // namespace pseg
