#pragma once
// PortraitNet (dong-x16/PortraitNet model_mobilenetv2_seg_small, channelRatio 1): MobileNetV2-style encoder,
// residual-block decoder with bilinear-initialised deconvs, 2-channel logits, optional boundary head. nets.md §4-§5.
// Submodule names follow the reference state_dict keys (stage0.0.weight, transit1.block.0.0.weight, ...).
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include "nets/segnet.h"

namespace pseg {

// Inverted residual: 1x1 expand (present even for t=1), depthwise 3x3, 1x1 project; identity added when shapes allow.
struct PortraitInvertedResidualImpl : torch::nn::Module {
  PortraitInvertedResidualImpl(int64_t in, int64_t out, int64_t stride, int64_t expand);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Sequential conv{nullptr};
  bool use_residual = false;
};
TORCH_MODULE(PortraitInvertedResidual);

// Decoder transition block: ReLU(dw-pw-dw-pw branch + shortcut), shortcut a 1x1 projection when widths differ.
struct PortraitResidualBlockImpl : torch::nn::Module {
  PortraitResidualBlockImpl(int64_t in, int64_t out);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Sequential block{nullptr}, residual{nullptr};
};
TORCH_MODULE(PortraitResidualBlock);

class PortraitNetImpl : public SegNetImpl {
 public:
  PortraitNetImpl(const ModelConfig& config, const InputSpec& spec);
  NetOutput forward(const torch::Tensor& x) override;
  // The edge head only feeds the boundary loss.
  std::vector<std::string> training_only_prefixes() const override { return {"edge."}; }
  bool has_boundary_head() const override { return !edge.is_empty(); }

  torch::nn::Sequential stage0{nullptr}, stage2{nullptr}, stage3{nullptr}, stage4{nullptr}, stage5{nullptr},
      stage6{nullptr};
  PortraitInvertedResidual stage1{nullptr}, stage7{nullptr};  // single blocks in the reference
  PortraitResidualBlock transit1{nullptr}, transit2{nullptr}, transit3{nullptr}, transit4{nullptr}, transit5{nullptr};
  torch::nn::ConvTranspose2d deconv1{nullptr}, deconv2{nullptr}, deconv3{nullptr}, deconv4{nullptr}, deconv5{nullptr};
  torch::nn::Conv2d pred{nullptr};
  torch::nn::Conv2d edge{nullptr};  // null unless boundary_head
};

}  // namespace pseg
