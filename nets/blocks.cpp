#include "nets/blocks.h"

#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/torch.h>

#include <cmath>
#include <optional>
#include <type_traits>

namespace pseg::blocks {

torch::Tensor tf_same_pad_stride2(const torch::Tensor& x) { return torch::constant_pad_nd(x, {0, 1, 0, 1}); }

torch::Tensor tf_deconv_crop(const torch::Tensor& y) {
  const auto cropped = y.slice(2, 0, -1).slice(3, 0, -1);
  // In training on the CPU, a copy: ATen 1.13's CPU batch norm over a cropped channels-last view takes a generic
  // path, which `perf` put at a quarter of a Mobile-Unet deconv step. Traces (the exports), inference and other
  // devices keep the view.
  if (!y.is_cpu() || !torch::GradMode::is_enabled() || torch::jit::tracer::isTracing()) return cropped;
  return cropped.contiguous(y.suggest_memory_format());
}

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

namespace {

thread_local bool traced_form = false;

// Whether the faster forms may run: not in a trace (an export) and not under a TracedFormGuard.
bool fast_form_allowed() { return !traced_form && !torch::jit::tracer::isTracing(); }

// A convolution's padding when its options give it explicitly, nullopt for "same" or "valid". Unqualified visit:
// c10::variant in LibTorch 1.13, std::variant in 2.x.
template <typename PaddingVariant>
std::optional<torch::ExpandingArray<2>> explicit_padding(const PaddingVariant& padding) {
  std::optional<torch::ExpandingArray<2>> out;
  visit([&](const auto& p) {
    if constexpr (std::is_same_v<std::decay_t<decltype(p)>, torch::ExpandingArray<2>>) out = p;
  }, padding);
  return out;
}

template <typename PaddingModeVariant>
bool zero_padded(const PaddingModeVariant& mode) {
  bool zeros = false;
  visit([&](const auto& m) { zeros = std::is_same_v<std::decay_t<decltype(m)>, torch::enumtype::kZeros>; }, mode);
  return zeros;
}

// Whether `o` is a k x k, stride-1, undilated, ungrouped convolution zero-padded by `pad` on every side.
bool plain_conv(const torch::nn::detail::ConvNdOptions<2>& o, int64_t k, int64_t pad) {
  const auto padding = explicit_padding(o.padding());
  return (*o.kernel_size())[0] == k && (*o.kernel_size())[1] == k && (*o.stride())[0] == 1 && (*o.stride())[1] == 1 &&
         (*o.dilation())[0] == 1 && (*o.dilation())[1] == 1 && o.groups() == 1 && padding && (**padding)[0] == pad &&
         (**padding)[1] == pad && zero_padded(o.padding_mode());
}

bool cpu_floating(const torch::Tensor& x) {
  return x.dim() == 4 && x.is_cpu() && (x.scalar_type() == torch::kFloat || x.scalar_type() == torch::kDouble);
}

// Kernel w (t, 1, kh, kw) seen through legacy_bilinear_up2 along H and/or W, as the weight of a stride-2,
// padding-4 transposed convolution of the input framed as in `frame`. Along such an axis the upsampling spreads input
// k over outputs 2k-1, 2k, 2k+1 with weights b = (1/2, 1, 1/2), so the kernel grows to 5 taps, tap d in -2..2 being
// sum_k w[k] b[d + k]. Returns (t, 1, 5 or 1, 5 or 1).
torch::Tensor compose_up2(const torch::Tensor& w, bool along_h, bool along_w) {
  const auto b = torch::tensor({0.5f, 1.0f, 0.5f}, w.options());
  const auto one = torch::ones({1}, w.options());
  const auto spread = torch::outer(along_h ? b : one, along_w ? b : one);
  auto g = torch::zeros({w.size(0), w.size(1), along_h ? 5 : 1, along_w ? 5 : 1}, w.options());
  for (int64_t ky = 0; ky < w.size(2); ++ky)
    for (int64_t kx = 0; kx < w.size(3); ++kx)
      g.slice(2, along_h ? 2 - ky : 0, along_h ? 5 - ky : 1)
          .slice(3, along_w ? 2 - kx : 0, along_w ? 5 - kx : 1)
          .add_(w.slice(2, ky, ky + 1).slice(3, kx, kx + 1) * spread);
  return g;
}

// Where one input pixel of each tap's map lands in the output, `co` times over (one group per output channel): the
// upsampling of a one-hot 3x3 kernel (kh, kw = 3, 3), of its last row's taps (1, 3) or of its last column's (3, 1).
torch::Tensor spread_kernel(int64_t co, int64_t kh, int64_t kw, const torch::TensorOptions& options) {
  const auto one_hot = torch::eye(kh * kw, options).view({kh * kw, 1, kh, kw});
  return compose_up2(one_hot, kh == 3, kw == 3).repeat({co, 1, 1, 1});
}

// The convolution's nine taps as the 1x1 kernels (co * 9, ci, 1, 1) of one convolution, ordered (co, ky, kx).
torch::Tensor taps_as_1x1(const torch::Tensor& weight) {
  const int64_t co = weight.size(0), ci = weight.size(1);
  return weight.reshape({co, ci, 9}).permute({0, 2, 1}).reshape({co * 9, ci, 1, 1}).contiguous();
}

struct TapKernels {
  torch::Tensor taps, spread, spread_last_row, spread_last_column;
};

TapKernels tap_kernels(const torch::Tensor& weight, LegacyUp2ConvKernel& cache) {
  const int64_t co = weight.size(0);
  std::lock_guard<std::mutex> lock(cache.mutex);
  if (!cache.spread.defined() || cache.spread.size(0) != co * 9 || cache.spread.dtype() != weight.dtype()) {
    cache.spread = spread_kernel(co, 3, 3, weight.options());
    cache.spread_last_row = spread_kernel(co, 1, 3, weight.options());
    cache.spread_last_column = spread_kernel(co, 3, 1, weight.options());
  }
  TapKernels k{torch::Tensor(), cache.spread, cache.spread_last_row, cache.spread_last_column};
  // In training the weight changes every step and its gradient flows through the taps; an inference tensor has no
  // version to tell whether it changed.
  if (torch::GradMode::is_enabled() || weight.is_inference()) {
    k.taps = taps_as_1x1(weight);
    return k;
  }
  // New data (a load, a dtype change) moves the weight's storage, writes in place bump its version. Holding the
  // storage the taps came from keeps its address from being reused by the next one.
  if (!cache.weight.defined() || cache.weight.data_ptr() != weight.data_ptr() ||
      cache.weight_version != weight._version()) {
    cache.taps = taps_as_1x1(weight);
    cache.weight = weight.detach();
    cache.weight_version = weight._version();
  }
  k.taps = cache.taps;
  return k;
}

// x (n x m) with a line before and after it along H and W: -(first line) before, so that the upsampled line -1,
// (-x0 + x0) / 2, is the zero padding of the 3x3 convolution, and the last line repeated after, so that upsampled
// line 2n-1 is the clamped x[n-1]. Corners are the products of the two rules. The taps' 1x1 products commute with it.
torch::Tensor frame(const torch::Tensor& x) {
  const int64_t n = x.size(2), m = x.size(3);
  auto framed = torch::empty({x.size(0), x.size(1), n + 2, m + 2}, x.options());
  framed.narrow(2, 1, n).narrow(3, 1, m).copy_(x);
  framed.select(2, 0).narrow(2, 1, m).copy_(x.select(2, 0)).neg_();
  framed.select(2, n + 1).narrow(2, 1, m).copy_(x.select(2, n - 1));
  framed.select(3, 0).copy_(framed.select(3, 1)).neg_();
  framed.select(3, m + 1).copy_(framed.select(3, m));
  return framed;
}

// The transposed convolution of `z` (grouped by output channel) that spreads each tap's map through the upsampling
// and sums the taps into `rows` x `columns` outputs; only the axes it spreads along are strided and padded. Forward:
// the data gradient of the convolution it transposes (oneDNN); backward: that convolution, in one grouped call where
// autograd's own double backward of a convolution's gradient runs one convolution per group.
struct SpreadTaps : torch::autograd::Function<SpreadTaps> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& z,
                               const torch::Tensor& spread, int64_t co, int64_t rows, int64_t columns, bool along_h,
                               bool along_w) {
    ctx->save_for_backward({spread});
    ctx->saved_data["co"] = co;
    ctx->saved_data["along_h"] = along_h;
    ctx->saved_data["along_w"] = along_w;
    const auto shape = torch::empty({z.size(0), co, rows, columns}, z.options());
    return std::get<0>(at::convolution_backward(z, shape, spread, c10::nullopt, strides(along_h, along_w),
                                                paddings(along_h, along_w), {1, 1}, /*transposed=*/false,
                                                /*output_padding=*/{0, 0}, co, {true, false, false}));
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto spread = ctx->get_saved_variables()[0];
    const bool along_h = ctx->saved_data["along_h"].toBool(), along_w = ctx->saved_data["along_w"].toBool();
    const auto grad_z = at::convolution(grads[0], spread, c10::nullopt, strides(along_h, along_w),
                                        paddings(along_h, along_w), {1, 1}, /*transposed=*/false, {0, 0},
                                        ctx->saved_data["co"].toInt());
    return {grad_z, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(),
            torch::Tensor()};
  }

  static std::vector<int64_t> strides(bool along_h, bool along_w) { return {along_h ? 2 : 1, along_w ? 2 : 1}; }
  static std::vector<int64_t> paddings(bool along_h, bool along_w) { return {along_h ? 4 : 0, along_w ? 4 : 0}; }
};

// The geometry of a convolution: what at::convolution and at::convolution_backward take besides the tensors.
struct ConvGeometry {
  std::vector<int64_t> stride, padding, dilation;
  int64_t groups = 1;
};

// A transposed convolution of `x` by `weight` into `out_size` as the data gradient of the convolution it
// transposes, and its gradients as that convolution (for x) and the convolution's weight gradient with input and
// output swapped (for the weight): oneDNN kernels all three, where ATen 1.13 runs a transposed convolution's
// forward and backward as im2col and OpenBLAS products (docs/performance.md).
struct TransposedConv : torch::autograd::Function<TransposedConv> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, std::vector<int64_t> out_size, ConvGeometry g) {
    ctx->save_for_backward({x, weight});
    ctx->saved_data["stride"] = g.stride;
    ctx->saved_data["padding"] = g.padding;
    ctx->saved_data["dilation"] = g.dilation;
    ctx->saved_data["groups"] = g.groups;
    // Only its size and memory format matter: the gradient is computed from `x` and the weight alone.
    const auto shape = torch::empty(out_size, x.options().memory_format(x.suggest_memory_format()));
    return std::get<0>(at::convolution_backward(x, shape, weight, c10::nullopt, g.stride, g.padding, g.dilation,
                                                /*transposed=*/false, /*output_padding=*/{0, 0}, g.groups,
                                                {true, false, false}));
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &x = saved[0], &weight = saved[1];
    // In x's memory format: a gradient coming back through a crop is NCHW whatever the net's format, and oneDNN
    // given both formats at once ran Mobile-Unet's layers 10 % slower than ATen's own kernels (20 % faster like this).
    const auto grad = grads[0].contiguous(x.suggest_memory_format());
    const ConvGeometry g{ctx->saved_data["stride"].toIntVector(), ctx->saved_data["padding"].toIntVector(),
                         ctx->saved_data["dilation"].toIntVector(), ctx->saved_data["groups"].toInt()};
    torch::Tensor grad_x, grad_weight;
    if (ctx->needs_input_grad(0))
      grad_x = at::convolution(grad, weight, c10::nullopt, g.stride, g.padding, g.dilation, /*transposed=*/false,
                               {0, 0}, g.groups);
    if (ctx->needs_input_grad(1))
      grad_weight = std::get<1>(at::convolution_backward(x, grad, weight, c10::nullopt, g.stride, g.padding,
                                                         g.dilation, /*transposed=*/false, {0, 0}, g.groups,
                                                         {false, true, false}));
    return {grad_x, grad_weight, torch::Tensor(), torch::Tensor()};
  }
};

torch::Tensor spread_taps(const torch::Tensor& z, const torch::Tensor& spread, int64_t co, int64_t rows,
                          int64_t columns, bool along_h, bool along_w) {
  return SpreadTaps::apply(z, spread, co, rows, columns, along_h, along_w);
}

}  // namespace

TracedFormGuard::TracedFormGuard() : previous_(traced_form) { traced_form = true; }
TracedFormGuard::~TracedFormGuard() { traced_form = previous_; }

torch::Tensor legacy_bilinear_up2_conv3x3(torch::nn::Conv2dImpl& conv, const torch::Tensor& x,
                                          LegacyUp2ConvKernel& kernel) {
  // The direct form covers every other convolution, and inputs below 8x8, where it is faster (measured per layer at
  // batch 1).
  if (!plain_conv(conv.options, 3, 1) || !fast_form_allowed() || !cpu_floating(x) || x.size(2) < 8 || x.size(3) < 8)
    return conv.forward(legacy_bilinear_up2(x));
  const auto k = tap_kernels(conv.weight, kernel);
  const int64_t batch = x.size(0), co = conv.weight.size(0), n = x.size(2), m = x.size(3), h = 2 * n, w = 2 * m;
  // The upsampling is per channel and the taps mix channels per pixel, so they commute: each of the nine taps' channel
  // mix runs at the input's resolution, then spreads through the upsampling into the output it shifts to.
  const auto z = torch::conv2d(frame(x), k.taps).contiguous();
  auto y = spread_taps(z, k.spread, co, h, w, true, true);
  if (conv.bias.defined()) y.add_(conv.bias.view({1, -1, 1, 1}));
  // The frame makes every output exact but for what the convolution reads beyond the last line: the upsampled lines
  // 2n and 2m, which are the repeated last input lines instead of zero padding. Take out their share (kernel row 2
  // on the last row, kernel column 2 on the last column), and put back the corner that both took out.
  const auto taps = z.view({batch, co, 3, 3, n + 2, m + 2});  // (batch, co, ky, kx, rows, columns)
  const auto last_row = taps.select(2, 2).narrow(3, n + 1, 1).reshape({batch, co * 3, 1, m + 2});
  const auto last_column = taps.select(3, 2).narrow(4, m + 1, 1).reshape({batch, co * 3, n + 2, 1});
  y.narrow(2, h - 1, 1).sub_(spread_taps(last_row, k.spread_last_row, co, 1, w, false, true));
  y.narrow(3, w - 1, 1).sub_(spread_taps(last_column, k.spread_last_column, co, h, 1, true, false));
  y.select(3, w - 1).select(2, h - 1).add_(taps.select(2, 2).select(2, 2).select(2, n).select(2, m));
  return y;
}

torch::Tensor conv_transpose(torch::nn::ConvTranspose2dImpl& m, const torch::Tensor& x) {
  const auto& o = m.options;
  const bool strided = (*o.stride())[0] > 1 || (*o.stride())[1] > 1;
  if (!strided || !fast_form_allowed() || !cpu_floating(x)) return m.forward(x);
  // A transposed convolution's padding is always explicit (its options take no "same"/"valid"); padding mode is
  // always zeros.
  const auto padding = *explicit_padding(o.padding());
  std::vector<int64_t> out_size = {x.size(0), m.weight.size(1) * o.groups()};
  for (size_t d = 0; d < 2; ++d)
    out_size.push_back((x.size(2 + d) - 1) * (*o.stride())[d] - 2 * (*padding)[d] +
                       (*o.dilation())[d] * ((*o.kernel_size())[d] - 1) + (*o.output_padding())[d] + 1);
  const auto vec = [](c10::IntArrayRef a) { return a.vec(); };
  auto y = TransposedConv::apply(x, m.weight, out_size,
                                 ConvGeometry{vec(o.stride()), vec(padding), vec(o.dilation()), o.groups()});
  if (m.bias.defined()) y.add_(m.bias.view({1, -1, 1, 1}));
  return y;
}

torch::Tensor conv1x1_after_replicated(torch::nn::Conv2dImpl& conv, const torch::Tensor& pooled,
                                       const torch::Tensor& x) {
  TORCH_CHECK(plain_conv(conv.options, 1, 0) && pooled.size(2) == 1 && pooled.size(3) == 1,
              "conv1x1_after_replicated: needs a 1x1 convolution (stride 1, no padding, one group) and a 1x1 map");
  const int64_t p = pooled.size(1);
  if (!fast_form_allowed()) {
    const auto replicated = at::upsample_bilinear2d(pooled, std::vector<int64_t>{x.size(2), x.size(3)}, true);
    return conv.forward(torch::cat({replicated, x}, 1));
  }
  const auto per_image = torch::conv2d(pooled, conv.weight.narrow(1, 0, p), conv.bias);
  return torch::conv2d(x, conv.weight.narrow(1, p, conv.weight.size(1) - p)).add_(per_image);
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
