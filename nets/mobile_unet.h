#pragma once
// Mobile-Unet (anilsathyan7/Portrait-Segmentation): Keras MobileNetV2 alpha 0.5 encoder up to block_16_project_BN,
// U-Net decoder with a transposed-conv or bilinear up path, 128x128 RGB, 1-channel logits. nets.md §2.
//
// Names follow the Keras layers so a Keras .h5 maps by name: a torch module path with '.' replaced by '_' is the
// Keras layer name, e.g. `Conv1`, `bn_Conv1`, `expanded_conv.depthwise_BN` -> `expanded_conv_depthwise_BN`,
// `block_13.expand` -> `block_13_expand`. Keras kernel/gamma/beta/moving_mean/moving_variance map to
// weight/weight/bias/running_mean/running_var (layouts: nets.md §1.1). The decoder layers carry generated Keras names
// (conv2d_transpose_N, batch_normalization_N), so they are named after nets.md §2.3 instead: d1..d5 with
// `deconv` (deconv decoder) or `conv` (bilinear decoder) and `bn`, then `head`.
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include <array>
#include <string>
#include <vector>

#include "nets/blocks.h"
#include "nets/conv_bn_fold.h"
#include "nets/inverted_residual.h"
#include "nets/segnet.h"
#include "nets/sync_batch_norm.h"

namespace pseg {

enum class MobileUnetDecoder { Deconv, Bilinear };

// Decoder UP(n): 2x up-conv (TF-same deconv + crop, or legacy bilinear + 3x3 conv), BN, Dropout(0.5), ReLU.
struct MobileUnetUpImpl : torch::nn::Module, HasConvBnPairs {
  MobileUnetUpImpl(int64_t in, int64_t out, MobileUnetDecoder decoder, bool dropout);
  torch::Tensor forward(const torch::Tensor& x);
  std::vector<ConvBnPair> conv_bn_pairs() const override;

  bool dropout;
  torch::nn::ConvTranspose2d deconv{nullptr};  // deconv decoder
  torch::nn::Conv2d conv{nullptr};             // bilinear decoder
  blocks::LegacyUp2ConvKernel up_conv_kernel;  // bilinear decoder: kernels of conv's faster form
  SyncBatchNorm2d bn{nullptr};
};
TORCH_MODULE(MobileUnetUp);

class MobileUnetImpl : public SegNetImpl, public HasConvBnPairs {
 public:
  MobileUnetImpl(const ModelConfig& config, const InputSpec& spec);
  NetOutput forward(const torch::Tensor& x) override;
  std::vector<ConvBnPair> conv_bn_pairs() const override { return {{Conv1.ptr(), bn_Conv1}}; }

  struct Features {
    torch::Tensor bottleneck;          // block_16_project_BN, stride 32
    std::array<torch::Tensor, 4> skips;  // block_1/3/6/13 expand_relu: strides 2, 4, 8, 16
  };
  Features encode(const torch::Tensor& x);

  torch::nn::Conv2d Conv1{nullptr};
  SyncBatchNorm2d bn_Conv1{nullptr};
  std::vector<InvertedResidual> encoder_blocks;  // expanded_conv, block_1 .. block_16
  MobileUnetUp d1{nullptr}, d2{nullptr}, d3{nullptr}, d4{nullptr}, d5{nullptr};
  torch::nn::ConvTranspose2d head{nullptr};
};

}  // namespace pseg
