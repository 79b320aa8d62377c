#pragma once
// The MobileNetV2/V3 inverted residual block of the Keras/TF-slim encoders: [1x1 expand, BN, act] (absent without
// expansion), depthwise 3x3, BN, act, 1x1 project, BN; identity added when stride 1 and in == out. No conv biases;
// BN eps 1e-3 (nets.md §1.5). Module names follow the Keras layers (`expand`, `expand_BN`, `depthwise`, ...).
#include <torch/arg.h>
#include <torch/nn/modules/conv.h>

#include <cstdint>

#include "nets/conv_bn_fold.h"
#include "nets/sync_batch_norm.h"

namespace pseg {

struct InvertedResidualOptions {
  InvertedResidualOptions(int64_t in, int64_t mid, int64_t out) : in_(in), mid_(mid), out_(out) {}
  TORCH_ARG(int64_t, in);
  TORCH_ARG(int64_t, mid);   // expanded channels; ignored without `expand`
  TORCH_ARG(int64_t, out);
  TORCH_ARG(int64_t, stride) = 1;
  TORCH_ARG(int64_t, dilation) = 1;  // of the depthwise conv (atrous encoders), stride 1 only
  TORCH_ARG(bool, expand) = true;    // false: no expansion conv, the depthwise runs on the input
  TORCH_ARG(bool, relu6) = true;     // ReLU6 (MobileNetV2); false: ReLU (MobileNetV3 minimalistic)
  // Stride-2 padding: false = TF 'same' on even sizes (bottom/right only, resolution-independent in a trace);
  // true = TF 'same' on odd sizes (one on every side: DeepLab at 8k + 1).
  TORCH_ARG(bool, odd_size_padding) = false;
};

struct InvertedResidualImpl : torch::nn::Module, HasConvBnPairs {
  explicit InvertedResidualImpl(const InvertedResidualOptions& options);
  // MobileNetV2 with an integer expansion factor (1 = no expansion conv), ReLU6.
  InvertedResidualImpl(int64_t in, int64_t out, int64_t stride, int64_t expansion);

  struct Tapped {
    torch::Tensor out;
    torch::Tensor expanded;  // post-activation expansion (`<prefix>expand_relu`); the input itself without expansion
  };
  Tapped forward_tapped(const torch::Tensor& x);
  torch::Tensor forward(const torch::Tensor& x) { return forward_tapped(x).out; }
  std::vector<ConvBnPair> conv_bn_pairs() const override;

  InvertedResidualOptions options;
  int64_t stride;
  bool residual;
  torch::nn::Conv2d expand{nullptr}, depthwise{nullptr}, project{nullptr};
  SyncBatchNorm2d expand_BN{nullptr}, depthwise_BN{nullptr}, project_BN{nullptr};
};
TORCH_MODULE(InvertedResidual);

// Keras MobileNet BatchNorm: eps 1e-3, Keras momentum 0.999 (torch momentum 0.001).
SyncBatchNorm2d mobilenet_bn(int64_t channels);

}  // namespace pseg
