#include "nets/inverted_residual.h"

#include <torch/torch.h>

#include "nets/blocks.h"

namespace pseg {

SyncBatchNorm2d mobilenet_bn(int64_t channels) {
  return SyncBatchNorm2d(torch::nn::BatchNorm2dOptions(channels).eps(1e-3).momentum(0.001));
}

InvertedResidualImpl::InvertedResidualImpl(int64_t in, int64_t out, int64_t stride_, int64_t expansion)
    : InvertedResidualImpl(InvertedResidualOptions(in, in * expansion, out).stride(stride_).expand(expansion != 1)) {}

InvertedResidualImpl::InvertedResidualImpl(const InvertedResidualOptions& o)
    : options(o), stride(o.stride()), residual(o.stride() == 1 && o.in() == o.out()) {
  using blocks::conv_options;
  const int64_t mid = o.expand() ? o.mid() : o.in();
  if (o.expand()) {
    expand = register_module("expand", torch::nn::Conv2d(conv_options(o.in(), mid, 1, 1, 0, false)));
    expand_BN = register_module("expand_BN", mobilenet_bn(mid));
  }
  // Stride 1 'same' is symmetric; stride 2 pads in forward on even sizes (TF 'same'), here on odd ones.
  const int64_t pad = stride == 1 ? o.dilation() : (o.odd_size_padding() ? 1 : 0);
  depthwise = register_module(
      "depthwise", torch::nn::Conv2d(conv_options(mid, mid, 3, stride, pad, false, mid, o.dilation())));
  depthwise_BN = register_module("depthwise_BN", mobilenet_bn(mid));
  project = register_module("project", torch::nn::Conv2d(conv_options(mid, o.out(), 1, 1, 0, false)));
  project_BN = register_module("project_BN", mobilenet_bn(o.out()));
}

std::vector<ConvBnPair> InvertedResidualImpl::conv_bn_pairs() const {
  std::vector<ConvBnPair> pairs{{depthwise.ptr(), depthwise_BN}, {project.ptr(), project_BN}};
  if (expand) pairs.push_back({expand.ptr(), expand_BN});
  return pairs;
}

InvertedResidualImpl::Tapped InvertedResidualImpl::forward_tapped(const torch::Tensor& x) {
  const auto act = [&](const torch::Tensor& t) { return options.relu6() ? blocks::relu6_(t) : torch::relu(t); };
  auto e = expand ? act(expand_BN(expand(x))) : x;
  const bool pad_here = stride == 2 && !options.odd_size_padding();
  auto y = act(depthwise_BN(depthwise(pad_here ? blocks::tf_same_pad_stride2(e) : e)));
  y = project_BN(project(y));
  return {residual ? x + y : y, e};
}

}  // namespace pseg
