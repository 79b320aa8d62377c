#pragma once
// int8 export: an fp32 ONNX graph rewritten with int8 weights (symmetric, per channel or per tensor) behind
// DequantizeLinear, and for the static QDQ scheme uint8 QuantizeLinear/DequantizeLinear pairs on the activations
// around every convolution, with their ranges calibrated on real images (core/export/calibration.h).
#include <onnx/onnx_pb.h>
#include <torch/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/export/precision.h"

namespace pseg {

struct ActivationRange {
  float lo = 0, hi = 0;
};

struct Int8Stats {
  int64_t weights = 0;      // weight tensors quantised
  int64_t activations = 0;  // activations given a QuantizeLinear/DequantizeLinear pair
  int64_t biases = 0;       // biases quantised to int32 (scale = input scale x weight scale)
  double max_step = 0;      // the largest activation quantisation step (scale)
  std::string last_activation;  // the quantised activation nearest the output, and its step
  double last_step = 0;
};

// The activations the QDQ scheme quantises, in graph order: each convolution's input, and its output (after the
// Relu when a Relu alone reads it); never the graph output. Empty for weights-only. Throws std::runtime_error
// naming a node the writer cannot quantise (BatchNormalization left unfolded, a convolution with computed weights).
std::vector<std::string> int8_activations(const onnx::GraphProto& graph, Int8Scheme scheme);

// Rewrites `model` in place. `ranges` must hold every name int8_activations() returned (QDQ).
Int8Stats quantize_int8(onnx::ModelProto& model, Int8Scheme scheme, bool per_channel,
                        const std::map<std::string, ActivationRange>& ranges);

// The uint8 scale and zero point covering [lo, hi] (widened to include 0), as the QDQ scheme writes them.
std::pair<float, uint8_t> activation_quant_params(const ActivationRange& r);

// Symmetric int8 weight scales of a Conv/ConvTranspose weight, as the writer computes them: per output channel
// (axis 0, or 1 for ConvTranspose) when `per_channel`, else one (also for a grouped ConvTranspose, whose axis 1
// repeats per group). `scale` has one value per channel along `axis`, or one value.
struct WeightQuant {
  torch::Tensor scale;  // float32, > 0
  int64_t axis = 0;
  bool per_channel = false;
};
WeightQuant weight_quant_params(const torch::Tensor& weight, const std::string& op, int64_t group, bool per_channel);
// A Conv/ConvTranspose node's `group` attribute (1 when absent).
int64_t conv_group(const onnx::NodeProto& conv);

}  // namespace pseg
