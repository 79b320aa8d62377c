#pragma once
// What every engine does to the blobs around its net, without LibTorch: check the input, turn the graph's output
// (logits, probability or 0/255 mask, by the model's head) into the foreground probability. Internal to
// core/infer: callers use core/infer/predictor.h.
#include <opencv2/core.hpp>

#include "core/model_io/model_meta.h"

namespace pseg {

// Throws std::invalid_argument unless `blob` is a 4-D CV_32F N x C x H x W blob at the size `meta` names.
void check_input_blob(const cv::Mat& blob, const ModelMeta& meta);

// The foreground probability as a 4-D CV_32F N x 1 x H x W blob from what a graph with head `meta.output` returned
// (4-D, N x output_channels x H x W, any depth): sigmoid of one logit channel, softmax channel 1 of two, the
// probability itself, or the mask / 255.
cv::Mat probability_blob(const cv::Mat& output, const ModelMeta& meta);

}  // namespace pseg
