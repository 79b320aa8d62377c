#pragma once
// Prisma-Net (anilsathyan7/Portrait-Segmentation), 256x256 RGB/255, 1-channel logits. nets.md §3.
#include <torch/nn/modules/container/modulelist.h>

#include "nets/blocks.h"
#include "nets/segnet.h"

namespace pseg {

// relu -> separable 3x3 -> relu -> separable 3x3, added to the raw (pre-ReLU) input.
struct PrismaResidualImpl : torch::nn::Module {
  explicit PrismaResidualImpl(int64_t n);
  torch::Tensor forward(const torch::Tensor& x);
  blocks::SeparableConv2d sep1{nullptr}, sep2{nullptr};
};
TORCH_MODULE(PrismaResidual);

class PrismaNetImpl : public SegNetImpl {
 public:
  PrismaNetImpl(const ModelConfig& config, const InputSpec& spec);
  NetOutput forward(const torch::Tensor& x) override;

  // Modules in the forward order that the reference ONNX file lists its convolutions in.
  torch::nn::Conv2d e0{nullptr}, e1{nullptr}, e2{nullptr}, e3{nullptr}, e4{nullptr};
  PrismaResidual res1{nullptr}, res2{nullptr}, res3{nullptr};
  torch::nn::ModuleList res4{nullptr}, mid{nullptr}, d1{nullptr}, d2{nullptr}, d3{nullptr}, d4{nullptr};
  torch::nn::ConvTranspose2d u1{nullptr}, u2{nullptr}, u3{nullptr}, u4{nullptr}, head{nullptr};
};

}  // namespace pseg
