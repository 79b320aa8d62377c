#include "nets/conv_bn_fold.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace pseg {

BatchNormAffine batch_norm_affine(const torch::Tensor& gamma, const torch::Tensor& beta, const torch::Tensor& mean,
                                  const torch::Tensor& var, double eps) {
  const auto sd = torch::sqrt(var.to(torch::kFloat64) + eps);
  BatchNormAffine a;
  a.scale = gamma.defined() ? gamma.to(torch::kFloat64) / sd : 1.0 / sd;
  a.shift = -mean.to(torch::kFloat64) * a.scale;
  if (beta.defined()) a.shift = a.shift + beta.to(torch::kFloat64);
  return a;
}

FoldedConv fold_into_conv(const torch::Tensor& weight, const torch::Tensor& bias, const BatchNormAffine& bn,
                          bool transposed, int64_t groups) {
  const int64_t out = bn.scale.size(0);
  if (weight.dim() != 4 || groups < 1)
    throw std::invalid_argument("BatchNorm fold: expected a 4-D convolution weight and groups >= 1");
  const auto w = weight.to(torch::kFloat64);
  const auto s = w.sizes();
  const int64_t weight_out = transposed ? s[1] * groups : s[0];
  if (weight_out != out || (transposed && s[0] % groups != 0))
    throw std::invalid_argument("BatchNorm fold: " + std::to_string(out) + " BatchNorm channels for a weight of " +
                                std::to_string(weight_out) + " output channels");
  FoldedConv f;
  if (transposed)  // output channel o = group * (out / groups) + j; reshape, as the weight may be channels-last
    f.weight = (w.reshape({groups, s[0] / groups, s[1], s[2], s[3]}) * bn.scale.view({groups, 1, out / groups, 1, 1}))
                   .reshape(s);
  else
    f.weight = w * bn.scale.view({out, 1, 1, 1});
  f.bias = (bias.defined() ? bias.to(torch::kFloat64) : torch::zeros_like(bn.scale)) * bn.scale + bn.shift;
  return f;
}

namespace {

// Writes the folded values into the convolution's own tensors (in place where they exist, so registered
// parameters stay the tensors the module holds).
template <typename Conv>
void fold_pair_into(Conv& conv, SyncBatchNorm2dImpl& bn, bool transposed) {
  const auto affine = batch_norm_affine(bn.weight, bn.bias, bn.running_mean, bn.running_var, bn.options.eps());
  const FoldedConv f = fold_into_conv(conv.weight, conv.bias, affine, transposed, conv.options.groups());
  conv.weight.copy_(f.weight);
  if (conv.bias.defined()) {
    conv.bias.copy_(f.bias);
  } else {
    conv.bias = f.bias.to(conv.weight.options().requires_grad(false));
    conv.options.bias(true);
  }
}

bool fold_pair(const ConvBnPair& pair) {
  SyncBatchNorm2dImpl& bn = *pair.bn.ptr();
  // Without running statistics eval mode normalises with the batch's own: nothing constant to fold.
  if (bn.folded() || !bn.options.track_running_stats()) return false;
  if (bn.is_training() || pair.conv->is_training())
    throw std::logic_error("fold_batch_norms: the net must be in eval mode");
  if (auto* conv = pair.conv->as<torch::nn::Conv2dImpl>())
    fold_pair_into(*conv, bn, false);
  else if (auto* deconv = pair.conv->as<torch::nn::ConvTranspose2dImpl>())
    fold_pair_into(*deconv, bn, true);
  else
    throw std::logic_error("fold_batch_norms: " + pair.conv->name() + " is not a Conv2d or ConvTranspose2d");
  bn.mark_folded();
  return true;
}

bool is_conv(const torch::nn::Module& m) {
  return m.as<torch::nn::Conv2dImpl>() || m.as<torch::nn::ConvTranspose2dImpl>();
}

// The pairs `m` declares, or, for a Sequential, each convolution followed directly by a BatchNorm.
std::vector<ConvBnPair> pairs_of(torch::nn::Module& m) {
  std::vector<ConvBnPair> pairs;
  if (const auto* declared = dynamic_cast<const HasConvBnPairs*>(&m)) pairs = declared->conv_bn_pairs();
  if (m.as<torch::nn::SequentialImpl>()) {
    const auto children = m.children();
    for (size_t i = 0; i + 1 < children.size(); ++i) {
      auto bn = std::dynamic_pointer_cast<SyncBatchNorm2dImpl>(children[i + 1]);
      if (bn && is_conv(*children[i])) pairs.push_back({children[i], SyncBatchNorm2d(bn)});
    }
  }
  return pairs;
}

}  // namespace

int64_t fold_batch_norms(torch::nn::Module& net) {
  if (net.is_training()) throw std::logic_error("fold_batch_norms: the net must be in eval mode");
  torch::NoGradGuard no_grad;
  int64_t folded = 0;
  std::vector<ConvBnPair> pairs = pairs_of(net);
  for (const auto& m : net.modules(/*include_self=*/false)) {
    auto more = pairs_of(*m);
    pairs.insert(pairs.end(), more.begin(), more.end());
  }
  for (const auto& pair : pairs) folded += fold_pair(pair) ? 1 : 0;
  return folded;
}

}  // namespace pseg
