#include "nets/blocks.h"

#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/torch.h>

#include <cmath>

namespace pseg::blocks {

torch::Tensor tf_same_pad_stride2(const torch::Tensor& x) { return torch::constant_pad_nd(x, {0, 1, 0, 1}); }

torch::Tensor tf_deconv_crop(const torch::Tensor& y) { return y.slice(2, 0, -1).slice(3, 0, -1); }

torch::Tensor legacy_bilinear_up2(const torch::Tensor& x) {
  // Along W: even outputs are the inputs, odd outputs the mean of each input and its (clamped) right neighbour.
  auto pw = torch::replication_pad2d(x, {0, 1, 0, 0});
  auto left = pw.slice(3, 0, -1);
  auto mid_w = (left + pw.slice(3, 1)) * 0.5;
  auto xw = torch::stack({left, mid_w}, -1).flatten(-2);
  auto ph = torch::replication_pad2d(xw, {0, 0, 0, 1});
  auto top = ph.slice(2, 0, -1);
  auto mid_h = (top + ph.slice(2, 1)) * 0.5;
  return torch::stack({top, mid_h}, 3).flatten(2, 3);
}

torch::Tensor align_corners_up2(const torch::Tensor& x) {
  return at::upsample_bilinear2d(x, c10::nullopt, /*align_corners=*/true, std::vector<double>{2.0, 2.0});
}

torch::Tensor asymmetric_resize(const torch::Tensor& x, int64_t height, int64_t width) {
  const auto y = at::upsample_bilinear2d(torch::replication_pad2d(x, {0, 1, 0, 1}),
                                         std::vector<int64_t>{height + 1, width + 1}, /*align_corners=*/true);
  return y.slice(2, 0, height).slice(3, 0, width);
}

torch::Tensor relu6(const torch::Tensor& x) {
  if (torch::jit::tracer::isTracing()) return torch::relu(x) - torch::relu(x - 6.0);
  return torch::hardtanh(x, 0.0, 6.0);
}

torch::nn::Conv2dOptions conv_options(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding,
                                      bool bias, int64_t groups, int64_t dilation) {
  return torch::nn::Conv2dOptions(in, out, kernel)
      .stride(stride)
      .padding(padding)
      .bias(bias)
      .groups(groups)
      .dilation(dilation);
}

SeparableConv2dImpl::SeparableConv2dImpl(int64_t in, int64_t out, int64_t kernel, int64_t dilation) {
  const int64_t pad = dilation * (kernel - 1) / 2;
  depthwise = register_module("depthwise", torch::nn::Conv2d(conv_options(in, in, kernel, 1, pad, false, in, dilation)));
  pointwise = register_module("pointwise", torch::nn::Conv2d(conv_options(in, out, 1)));
}

torch::Tensor SeparableConv2dImpl::forward(const torch::Tensor& x) { return pointwise(depthwise(x)); }

void glorot_init(torch::nn::Module& m) {
  torch::NoGradGuard no_grad;
  for (auto& sub : m.modules(/*include_self=*/false)) {
    if (auto* c = sub->as<torch::nn::Conv2d>()) {
      torch::nn::init::xavier_uniform_(c->weight);
      if (c->bias.defined()) c->bias.zero_();
    } else if (auto* t = sub->as<torch::nn::ConvTranspose2d>()) {
      torch::nn::init::xavier_uniform_(t->weight);
      if (t->bias.defined()) t->bias.zero_();
    }
  }
}

void he_normal_truncated_(torch::Tensor& w) {
  torch::NoGradGuard no_grad;
  // fan_in as Keras computes it for the kernel this tensor came from (torch Conv2d layout: in * kh * kw).
  const double fan_in = static_cast<double>(w.size(1) * w.size(2) * w.size(3));
  const double sigma = std::sqrt(2.0 / fan_in);
  w.normal_(0.0, sigma);
  for (int i = 0; i < 100; ++i) {
    auto bad = w.abs() > 2.0 * sigma;
    if (!bad.any().item<bool>()) break;
    w.masked_scatter_(bad, torch::empty_like(w).normal_(0.0, sigma).masked_select(bad));
  }
  w.clamp_(-2.0 * sigma, 2.0 * sigma);
}

}  // namespace pseg::blocks
