#pragma once
// Loads the weights of an ONNX model exported from a reference net (e.g. prisma_nchw.onnx) into our module.
//
// The weighted nodes (Conv, ConvTranspose, BatchNormalization, PRelu) in graph order map onto the net's weighted
// modules by the rules of core/import/weight_mapper.h. Weights are initializers (raw_data or float_data), already in
// torch layout.
#include <string>

#include "core/model_io/weight_copy.h"
#include "nets/segnet.h"

namespace pseg {

// Throws std::runtime_error naming the file when it is not a readable ONNX model, std::invalid_argument naming
// the node and module when the file does not fit the net (kind, count, shape, stride, missing initializer).
ImportStats import_onnx_weights(const std::string& path, SegNetImpl& net);

}  // namespace pseg
