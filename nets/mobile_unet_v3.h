#pragma once
// Mobile-Unet with a MobileNetV3-Small (minimalistic) encoder (anilsathyan7/Portrait-Segmentation,
// MobilenetV3/mnv3_seg_float.tflite): Keras MobileNetV3Small(alpha 1.0, minimalistic: 3x3 kernels, ReLU, no SE, no
// hard-swish) up to Conv_1 (BN, no activation), a decoder of PortraitNet-style transition blocks with half-pixel
// bilinear 2x upsampling and additive skips from the expansions before the stride-2 depthwise convs, 256x256 RGB in
// [-1, 1], 2 logits (softmax channel 1 = person). nets_more.md §2.
//
// model.width_multiplier scales every channel count (rounded to multiples of 8) for smaller variants trained from
// scratch; 1.0 is the published file's net. No reference weights or counts exist for other values.
#include <torch/nn/modules/conv.h>

#include <vector>

#include "nets/conv_bn_fold.h"
#include "nets/inverted_residual.h"
#include "nets/segnet.h"
#include "nets/sync_batch_norm.h"

namespace pseg {

// T(i -> o): main = dw3x3(i) BN ReLU, 1x1 i->o BN ReLU, dw3x3(o) BN ReLU, 1x1 o->o BN; shortcut = 1x1 i->o BN;
// out = ReLU(main + shortcut). Every conv has a bias (Keras default); BN eps 1e-3. The shortcut is registered first,
// as the converter runs it first.
struct TransitionBlockImpl : torch::nn::Module, HasConvBnPairs {
  TransitionBlockImpl(int64_t in, int64_t out);
  torch::Tensor forward(const torch::Tensor& x);
  std::vector<ConvBnPair> conv_bn_pairs() const override;

  torch::nn::Conv2d shortcut{nullptr}, dw1{nullptr}, pw1{nullptr}, dw2{nullptr}, pw2{nullptr};
  SyncBatchNorm2d shortcut_bn{nullptr}, bn1{nullptr}, bn2{nullptr}, bn3{nullptr}, bn4{nullptr};
};
TORCH_MODULE(TransitionBlock);

class MobileUnetV3Impl : public SegNetImpl, public HasConvBnPairs {
 public:
  MobileUnetV3Impl(const ModelConfig& config, const InputSpec& spec);
  NetOutput forward(const torch::Tensor& x) override;
  std::vector<ConvBnPair> conv_bn_pairs() const override {
    return {{Conv.ptr(), Conv_BatchNorm}, {Conv_1.ptr(), Conv_1_BatchNorm}};
  }

  torch::nn::Conv2d Conv{nullptr};
  SyncBatchNorm2d Conv_BatchNorm{nullptr};
  std::vector<InvertedResidual> encoder_blocks;  // expanded_conv, expanded_conv_1 .. expanded_conv_10
  torch::nn::Conv2d Conv_1{nullptr};
  SyncBatchNorm2d Conv_1_BatchNorm{nullptr};
  TransitionBlock t1{nullptr}, t2{nullptr}, t3{nullptr}, t4{nullptr};
  torch::nn::Conv2d head{nullptr};
};

}  // namespace pseg
