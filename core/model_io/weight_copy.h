#pragma once
// The one shape-checked weight copy: importers (ONNX, Keras HDF5) tensor by tensor, init_from, export and bench
// net to net.
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

// Copies every parameter and buffer of `src` into the same-named one of `dst` (the same net and options, possibly
// at another input size). Throws std::invalid_argument "<what>: parameter|buffer <name> missing" or "<what>:
// buffer <name> of shape [..], the net has [..]"; `dst` may then be partly copied.
void copy_net_state(torch::nn::Module& dst, const torch::nn::Module& src, const std::string& what);

// "[3, 8, 2, 2]"
std::string shape_string(at::IntArrayRef sizes);

// A running variance that makes an eval-mode BatchNorm with this eps, weight 1, bias 0 and mean 0 an exact identity
// on float32 (1 / sqrt(var + eps) rounds to 1): used where the source folded BN into the preceding convolution.
float identity_bn_variance(double eps);

}  // namespace pseg
