#pragma once
// Loads the weights of an ONNX model exported from a reference net (e.g. prisma_nchw.onnx) into our module.
//
// Mapping (nets.md §3.3): the weighted nodes (Conv, ConvTranspose, BatchNormalization, PRelu) in graph order map
// onto the net's weighted modules (Conv2d, ConvTranspose2d, BatchNorm2d, PReLU) in registration order, which each
// net keeps equal to its forward order. Weights are initializers (raw_data or float_data), already in torch layout.
// Each pair must agree in kind, weight shape, stride, dilation and groups. BatchNorm folded in the source: a net
// BatchNorm2d with no BatchNormalization node in the file becomes an exact identity that carries the folded
// convolution bias (when the net's convolution has none).
#include <string>

#include "core/model_io/weight_copy.h"
#include "nets/segnet.h"

namespace pseg {

// Throws std::runtime_error naming the file when it is not a readable ONNX model, std::invalid_argument naming
// the node and module when the file does not fit the net (kind, count, shape, stride, missing initializer).
ImportStats import_onnx_weights(const std::string& path, SegNetImpl& net);

}  // namespace pseg
