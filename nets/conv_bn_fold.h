#pragma once
// Folding an eval-mode BatchNorm into the convolution whose output it normalises, so inference runs one kernel
// where it ran two. The ONNX exporter folds in the traced graph; fold_batch_norms folds in the eager net, from the
// pairs each module declares (eager nets have no graph to find them in). Both use the arithmetic below.
#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "nets/sync_batch_norm.h"

namespace pseg {

// Eval-mode BatchNorm as y = x * scale + shift per channel (float64): scale = gamma / sqrt(var + eps),
// shift = beta - mean * scale. An undefined gamma or beta (affine=false) counts as 1 or 0.
struct BatchNormAffine {
  torch::Tensor scale, shift;
};
BatchNormAffine batch_norm_affine(const torch::Tensor& gamma, const torch::Tensor& beta, const torch::Tensor& mean,
                                  const torch::Tensor& var, double eps);

// A convolution's weight and bias with `bn` applied to its output, computed in float64 and returned in float64.
// `transposed`: a ConvTranspose weight (in, out/groups, kh, kw); else a Conv weight (out, in/groups, kh, kw).
// An undefined bias counts as zero.
struct FoldedConv {
  torch::Tensor weight, bias;
};
FoldedConv fold_into_conv(const torch::Tensor& weight, const torch::Tensor& bias, const BatchNormAffine& bn,
                          bool transposed, int64_t groups);

// A Conv2d or ConvTranspose2d whose output goes only into `bn`, with nothing between them that mixes channels
// (a crop or an inference-time no-op such as dropout may sit between).
struct ConvBnPair {
  std::shared_ptr<torch::nn::Module> conv;
  SyncBatchNorm2d bn;
};

// Implemented by modules that call a convolution and then a BatchNorm in their forward. Sequential containers need
// not: fold_batch_norms pairs a convolution with the BatchNorm registered right after it.
class HasConvBnPairs {
 public:
  virtual std::vector<ConvBnPair> conv_bn_pairs() const = 0;

 protected:
  ~HasConvBnPairs() = default;
};

// Folds every declared pair in `net` and below (the net must be in eval mode): the convolution takes the BatchNorm's
// running statistics and affine parameters, and the BatchNorm passes its input through from then on. For inference
// only: the folded net refuses to train, and a convolution that had no bias gets one that is not a registered
// parameter (it stays on the device the net is on now). Pairs already folded are skipped. Returns how many
// BatchNorms were folded.
int64_t fold_batch_norms(torch::nn::Module& net);

}  // namespace pseg
