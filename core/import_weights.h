#pragma once
// Shared by the weight importers (ONNX, Keras HDF5): shape-checked copies into a net and what was consumed.
#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <string>

namespace pseg {

// What an importer read from the source file and wrote into the net.
struct ImportStats {
  int64_t layers = 0;   // source layers (ONNX weighted nodes, Keras weighted layers)
  int64_t tensors = 0;  // source tensors copied
  int64_t values = 0;   // float values copied
};

// Copies `src` into the parameter or buffer `dst` (no broadcasting, any dtype/device of `dst`). Throws
// std::invalid_argument "<what>: shape [..] in the file, [..] in the net (<where>)" on a shape mismatch.
void copy_weight(torch::Tensor& dst, const torch::Tensor& src, const std::string& what, const std::string& where,
                 ImportStats& stats);

// "[3, 8, 2, 2]"
std::string shape_string(at::IntArrayRef sizes);

// A running variance that makes an eval-mode BatchNorm with this eps, weight 1, bias 0 and mean 0 an exact identity
// on float32 (1 / sqrt(var + eps) rounds to 1): used where the source folded BN into the preceding convolution.
float identity_bn_variance(double eps);

}  // namespace pseg
