#pragma once
// Reads the layer weights of a tf.keras HDF5 file (full model or save_weights file) with the HDF5 C API.
//
// Layout (nets.md §6.5): group `model_weights` (or the root of a weights-only file) lists its layers in the attribute
// `layer_names`; each layer group lists its datasets in `weight_names` (e.g. "conv2d_75/kernel:0", whose numeric
// suffix differs from the layer name), read relative to the layer group.
#include <torch/types.h>

#include <string>
#include <vector>

namespace pseg {

struct KerasWeight {
  std::string name;       // short name: kernel, bias, depthwise_kernel, pointwise_kernel, alpha, gamma, ...
  std::string dataset;    // as listed in weight_names, e.g. "conv2d_75/kernel:0"
  torch::Tensor value;    // float32, Keras layout
};

struct KerasLayer {
  std::string name;
  std::vector<KerasWeight> weights;
};

// The layers that carry weights, in `layer_names` order. Throws std::runtime_error naming the file (and layer or
// dataset) when it is not HDF5, not a Keras file, or a dataset cannot be read as float.
std::vector<KerasLayer> read_keras_h5(const std::string& path);

}  // namespace pseg
