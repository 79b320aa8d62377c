#pragma once
// Loads the weights of a TFLite model (the reference project's published .tflite files) into our module: float32
// weights, float16 weights behind DEQUANTIZE ops, and int8/uint8 quantised weights (per tensor or per axis),
// dequantised to float (specs/tflite.md §6). Constants are converted from TFLite's layouts to LibTorch's (§5):
// CONV_2D [O,kh,kw,I] → [O,I,kh,kw], DEPTHWISE_CONV_2D [1,kh,kw,C] → [C,1,kh,kw] (groups = input channels),
// TRANSPOSE_CONV [O,kh,kw,I] → [I,O,kh,kw] with its bias taken from the ADD of a constant that follows it, PRELU
// [1,1,C] → [C]. The weighted ops in execution order then map onto the net by the rules of
// core/import/weight_mapper.h; weights are taken per op input, so constants the converter shared between ops are
// copied to each.
#include <string>

#include "core/model_io/weight_copy.h"
#include "nets/segnet.h"

namespace pseg {

// Throws std::runtime_error naming the file when it is not a readable TFLite model or a constant cannot be decoded,
// std::invalid_argument naming the op and net module where the file does not fit the net.
ImportStats import_tflite_weights(const std::string& path, SegNetImpl& net);

}  // namespace pseg
