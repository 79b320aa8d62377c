#include "nets/blocks.h"

#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/torch.h>

#include <cmath>
#include <type_traits>

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

torch::Tensor conv_transpose(torch::nn::ConvTranspose2dImpl& m, const torch::Tensor& x) {
  const auto& o = m.options;
  const bool strided = (*o.stride())[0] > 1 || (*o.stride())[1] > 1;
  if (torch::GradMode::is_enabled() || torch::jit::tracer::isTracing() || !strided || x.dim() != 4 || !x.is_cpu() ||
      x.scalar_type() != torch::kFloat)
    return m.forward(x);
  // A transposed convolution's padding is always explicit (its options take no "same"/"valid"); padding mode is
  // always zeros. Unqualified visit: c10::variant in LibTorch 1.13, std::variant in 2.x.
  torch::ExpandingArray<2> padding(0);
  visit([&](const auto& p) {
    if constexpr (std::is_same_v<std::decay_t<decltype(p)>, torch::ExpandingArray<2>>) padding = p;
  }, o.padding());
  std::vector<int64_t> out_size = {x.size(0), m.weight.size(1) * o.groups()};
  for (size_t d = 0; d < 2; ++d)
    out_size.push_back((x.size(2 + d) - 1) * (*o.stride())[d] - 2 * (*padding)[d] +
                       (*o.dilation())[d] * ((*o.kernel_size())[d] - 1) + (*o.output_padding())[d] + 1);
  // Only its size and memory format matter: the gradient is computed from `x` and the weight alone.
  const auto shape = torch::empty(out_size, x.options().memory_format(x.suggest_memory_format()));
  auto y = std::get<0>(at::convolution_backward(x, shape, m.weight, c10::nullopt, *o.stride(), *padding, *o.dilation(),
                                                /*transposed=*/false, /*output_padding=*/{0, 0}, o.groups(),
                                                {true, false, false}));
  if (m.bias.defined()) y.add_(m.bias.view({1, -1, 1, 1}));
  return y;
}

torch::Tensor relu6(const torch::Tensor& x) {
  if (torch::jit::tracer::isTracing()) return torch::relu(x) - torch::relu(x - 6.0);
  return torch::hardtanh(x, 0.0, 6.0);
}

torch::Tensor relu6_(torch::Tensor x) {
  if (torch::GradMode::is_enabled() || torch::jit::tracer::isTracing()) return blocks::relu6(x);
  return torch::hardtanh_(x, 0.0, 6.0);
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
