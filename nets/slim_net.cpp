#include "nets/slim_net.h"

#include <torch/torch.h>

#include <map>

#include "nets/net_util.h"
#include "nets/registry.h"

namespace pseg {
namespace {

// Keras PReLU(shared_axes=[1,2]): one alpha per channel, initialised to 0 (torch defaults to 0.25).
torch::nn::PReLU prelu(int64_t channels) {
  return torch::nn::PReLU(torch::nn::PReLUOptions().num_parameters(channels).init(0.0));
}

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t padding = 0) {
  return torch::nn::Conv2d(blocks::conv_options(in, out, kernel, stride, padding));
}

torch::nn::ConvTranspose2d deconv(int64_t in, int64_t out, int64_t kernel) {
  return torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(in, out, kernel).stride(2));
}

SlimEncoderParams block(int64_t in, int64_t proj, int64_t out, SlimKind kind, int64_t dilation = 1) {
  SlimEncoderParams p;
  p.in = in;
  p.proj = proj;
  p.out = out;
  p.kind = kind;
  p.dilation = dilation;
  return p;
}

SlimEncoderParams pool_block(int64_t in, int64_t proj, int64_t out) {
  auto p = block(in, proj, out, SlimKind::DW);
  p.stride = 2;
  p.pool = true;
  return p;
}

SlimEncoderParams preluop_block(int64_t in, int64_t proj, int64_t out) {
  auto p = block(in, proj, out, SlimKind::DW);
  p.preluop = true;
  return p;
}

// b1..b22 of nets.md §6.4.
std::vector<SlimEncoderParams> encoder_table() {
  using K = SlimKind;
  std::vector<SlimEncoderParams> t = {
      pool_block(32, 16, 64),    preluop_block(64, 16, 64), block(64, 16, 64, K::DW),
      pool_block(64, 32, 128),   preluop_block(128, 16, 128),
  };
  for (int i = 0; i < 3; ++i) t.push_back(block(128, 16, 128, K::DW));
  t.push_back(pool_block(128, 16, 128));
  const std::vector<std::pair<SlimKind, int64_t>> dilated = {
      {K::DW, 1},  {K::DIL, 2}, {K::S5, 1}, {K::DIL, 4}, {K::DW, 1},  {K::DIL, 8},
      {K::DW, 1},  {K::DIL, 2}, {K::S5, 1}, {K::DIL, 4}, {K::DW, 1},  {K::DIL, 8},
  };
  for (const auto& [kind, d] : dilated) t.push_back(block(128, 8, 128, kind, d));
  t.push_back(block(128, 4, 128, K::DIL, 1));
  return t;
}

InputSpec slim_spec() {
  InputSpec s;
  s.channels = 3;
  s.native_height = s.native_width = 512;
  s.size_multiple = 32;
  s.color = ColorOrder::RGB;
  s.mean = {0.f, 0.f, 0.f};
  s.scale = {1.f / 255.f, 1.f / 255.f, 1.f / 255.f};
  s.normalization = "unit";
  s.logit_channels = 2;
  return s;
}

// Keras layer class name (snake case, as Keras numbers it) of a weighted leaf module; empty for containers.
std::string keras_class(const torch::nn::Module& m) {
  if (m.as<torch::nn::PReLU>()) return "p_re_lu";
  if (m.as<blocks::SeparableConv2d>()) return "separable_conv2d";
  if (m.as<torch::nn::ConvTranspose2d>()) return "conv2d_transpose";
  if (const auto* c = m.as<torch::nn::Conv2d>()) return c->options.groups() > 1 ? "depthwise_conv2d" : "conv2d";
  return {};
}

}  // namespace

SlimEncoderImpl::SlimEncoderImpl(const SlimEncoderParams& p) : params(p) {
  pa = register_module("pa", prelu(p.in));
  // kernel = stride: 1x1 when stride 1, 2x2/2 (no padding) when stride 2.
  proj = register_module("proj", conv(p.in, p.proj, p.stride, p.stride));
  pp = register_module("pp", prelu(p.proj));
  int64_t width = p.proj;
  switch (p.kind) {
    case SlimKind::DW:
      sep = register_module("sep", blocks::SeparableConv2d(p.proj, p.proj, 3));
      ps = register_module("ps", prelu(p.proj));
      dw = register_module("dw", torch::nn::Conv2d(blocks::conv_options(p.proj, p.proj, 3, 1, 1, true, p.proj)));
      break;
    case SlimKind::S5:
      sep = register_module("sep", blocks::SeparableConv2d(p.proj, p.proj, 5));
      break;
    case SlimKind::DIL:
      dil = register_module(
          "dil", torch::nn::Conv2d(blocks::conv_options(p.proj, p.out, 3, 1, p.dilation, true, 1, p.dilation)));
      width = p.out;
      break;
  }
  pm = register_module("pm", prelu(width));
  out = register_module("out", conv(width, p.out, 1));
  // The reference adds the pooled input unchanged only at 128 channels, else projects it with a 1x1 conv.
  if (p.pool && p.in != 128) sc = register_module("sc", conv(p.in, p.out, 1));
}

std::pair<torch::Tensor, torch::Tensor> SlimEncoderImpl::forward(const torch::Tensor& x) {
  auto xa = pa(x);  // the residual and the skips use the PReLU'd input
  auto y = pp(proj(xa));
  switch (params.kind) {
    case SlimKind::DW:
      y = dw(ps(sep(y)));
      break;
    case SlimKind::S5:
      y = sep(y);
      break;
    case SlimKind::DIL:
      y = dil(y);
      break;
  }
  y = out(pm(y));
  if (params.pool) {
    auto m = torch::max_pool2d(xa, 2, 2);
    auto shortcut = sc ? sc(m) : m;
    return {shortcut + y, m};
  }
  auto z = xa + y;
  return {z, params.preluop ? xa : torch::Tensor()};
}

SlimDecoderImpl::SlimDecoderImpl(int64_t in, int64_t res2, int64_t mid1, int64_t out, int64_t mid2) {
  const int64_t z_width = out + res2;
  pa = register_module("pa", prelu(in));
  c1 = register_module("c1", conv(in, mid1, 1));
  p1 = register_module("p1", prelu(mid1));
  up = register_module("up", deconv(mid1, 8, 3));  // always 8 filters in the reference
  p2 = register_module("p2", prelu(8));
  c2 = register_module("c2", conv(8, out, 1));
  cr = register_module("cr", conv(in, out, 1));
  pz = register_module("pz", prelu(out));
  b1 = register_module("b1", conv(z_width, mid2, 1));
  pb1 = register_module("pb1", prelu(mid2));
  b2 = register_module("b2", conv(mid2, mid2, 3, 1, 1));
  pb2 = register_module("pb2", prelu(mid2));
  b3 = register_module("b3", conv(mid2, out, 1));
  if (res2 > 0) zc = register_module("zc", conv(z_width, out, 1));
}

torch::Tensor SlimDecoderImpl::forward(const torch::Tensor& x, const torch::Tensor& res1, const torch::Tensor& res2) {
  auto xa = pa(x);
  auto y = c2(p2(blocks::tf_deconv_crop(blocks::conv_transpose(*up, p1(c1(xa))))));
  // The reference adds res1 at low resolution, then resizes (align_corners=True) to the deconv's size.
  auto r = blocks::align_corners_up2(cr(xa) + res1);
  auto z = pz(r + y);
  if (zc) z = torch::cat({z, res2}, 1);
  auto b = b3(pb2(b2(pb1(b1(z)))));
  if (zc) z = zc(z);
  return z + b;
}

SlimNetImpl::SlimNetImpl(const ModelConfig& config, const InputSpec& spec) : SegNetImpl("SlimNet", config, spec) {
  s1 = register_module("s1", conv(spec.channels, 8, 2, 2));
  sp = register_module("sp", prelu(8));
  s2 = register_module("s2", conv(8, 32, 2, 2));
  const auto table = encoder_table();
  for (size_t i = 0; i < table.size(); ++i)
    encoders.push_back(register_module("b" + std::to_string(i + 1), SlimEncoder(table[i])));
  d1 = register_module("d1", SlimDecoder(128, 128, 8, 128, 8));
  d2 = register_module("d2", SlimDecoder(128, 64, 8, 64, 4));
  d3 = register_module("d3", SlimDecoder(64, 0, 4, 32, 4));
  hp = register_module("hp", prelu(32));
  h1 = register_module("h1", deconv(32, 8, 2));
  hp2 = register_module("hp2", prelu(8));
  h2 = register_module("h2", deconv(8, 2, 2));
  blocks::glorot_init(*this);
}

NetOutput SlimNetImpl::forward(const torch::Tensor& x) {
  auto y = s2(sp(s1(x)));
  // Skips in encoder order: r1 (b1), p1 (b2), r2 (b4), p2 (b5), r3 (b9).
  std::vector<torch::Tensor> skips;
  for (auto& enc : encoders) {
    auto [next, skip] = enc->forward(y);
    y = next;
    if (skip.defined()) skips.push_back(skip);
  }
  y = d1(y, skips[4], skips[3]);
  y = d2(y, skips[2], skips[1]);
  y = d3(y, skips[0], torch::Tensor());
  return {blocks::conv_transpose(*h2, hp2(blocks::conv_transpose(*h1, hp(y)))), {}};
}

std::vector<std::pair<std::string, std::string>> SlimNetImpl::keras_layer_map() const {
  std::vector<std::pair<std::string, std::string>> map;
  std::map<std::string, int> count;
  std::string separable;  // path of the last separable conv: its depthwise/pointwise children are one Keras layer
  for (const auto& item : named_modules("", /*include_self=*/false)) {
    const std::string& path = item.key();
    if (!separable.empty() && path.rfind(separable + ".", 0) == 0) continue;
    const std::string cls = keras_class(*item.value());
    if (cls.empty()) continue;
    if (cls == "separable_conv2d") separable = path;
    const int n = count[cls]++;
    map.emplace_back(n == 0 ? cls : cls + "_" + std::to_string(n), path);
  }
  return map;
}

NetEntry slim_net_entry() {
  NetEntry e;
  e.name = "slim_net";
  e.summary = "Slim-Net: PReLU dilated bottlenecks, no BN, 512x512 RGB/255, 2-channel softmax head";
  e.create = [](const ModelConfig& config) -> std::shared_ptr<SegNetImpl> {
    return std::make_shared<SlimNetImpl>(config, configured_spec(slim_spec(), config));
  };
  return e;
}

}  // namespace pseg
