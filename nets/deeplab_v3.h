#pragma once
// DeepLabV3 with a MobileNetV2 (depth multiplier 0.5) backbone at output stride 8 (anilsathyan7/Portrait-Segmentation,
// models/deeplab_dm05_513; nets_more.md §1): TF-slim MobileNetV2 channels halved (divisible_by 1), blocks 6 and 13
// at stride 1 with atrous depthwise convs (dilation 2 from block 7, 4 from block 14), a head with the 1x1 branch
// (aspp0) and image pooling only (no atrous ASPP branches, no decoder), 2 logits upsampled to the input size.
// Input 513x513 (any 8k + 1: every stride-2 stage then sees an odd size and pads one on each side, TF 'same'),
// RGB in [-1, 1]. The final upsampling is align-corners (TF, the trained model) or, with model.upsample=asymmetric,
// the ONNX file's opset-8 Upsample.
#include <torch/nn/modules/conv.h>

#include <vector>

#include "nets/conv_bn_fold.h"
#include "nets/inverted_residual.h"
#include "nets/segnet.h"
#include "nets/sync_batch_norm.h"

namespace pseg {

class DeepLabV3Impl : public SegNetImpl, public HasConvBnPairs {
 public:
  DeepLabV3Impl(const ModelConfig& config, const InputSpec& spec);
  NetOutput forward(const torch::Tensor& x) override;
  std::vector<ConvBnPair> conv_bn_pairs() const override;
  // The image-pooling branch's BatchNorm normalises the 1x1 map of each image's mean.
  int64_t min_train_batch() const override { return 2; }

  torch::nn::Conv2d Conv{nullptr};
  SyncBatchNorm2d Conv_BatchNorm{nullptr};
  std::vector<InvertedResidual> encoder_blocks;  // expanded_conv, expanded_conv_1 .. expanded_conv_16
  // Head (TF scopes), registered in forward order, which is the file's graph order.
  torch::nn::Conv2d aspp0{nullptr}, image_pooling{nullptr}, concat_projection{nullptr}, logits{nullptr};
  SyncBatchNorm2d aspp0_BatchNorm{nullptr}, image_pooling_BatchNorm{nullptr}, concat_projection_BatchNorm{nullptr};
  bool align_corners = true;  // final upsampling; false = asymmetric (the ONNX file's)
};

}  // namespace pseg
