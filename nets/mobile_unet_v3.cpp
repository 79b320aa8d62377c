#include "nets/mobile_unet_v3.h"

#include <torch/torch.h>

#include <cmath>

#include "nets/blocks.h"
#include "nets/net_util.h"
#include "nets/registry.h"

namespace pseg {
namespace {

// Decoder BatchNorm: eps 1e-3, Keras momentum 0.99.
SyncBatchNorm2d transition_bn(int64_t c) {
  return SyncBatchNorm2d(torch::nn::BatchNorm2dOptions(c).eps(1e-3).momentum(0.01));
}

struct V3Block {
  const char* name;
  int64_t in, mid, out, stride;
  bool expand;
};

// MobileNetV3-Small minimalistic, alpha 1.0 (nets_more.md §2.3).
constexpr V3Block kV3Blocks[] = {
    {"expanded_conv", 16, 16, 16, 2, false},   {"expanded_conv_1", 16, 72, 24, 2, true},
    {"expanded_conv_2", 24, 88, 24, 1, true},  {"expanded_conv_3", 24, 96, 40, 2, true},
    {"expanded_conv_4", 40, 240, 40, 1, true}, {"expanded_conv_5", 40, 240, 40, 1, true},
    {"expanded_conv_6", 40, 120, 48, 1, true}, {"expanded_conv_7", 48, 144, 48, 1, true},
    {"expanded_conv_8", 48, 288, 96, 2, true}, {"expanded_conv_9", 96, 576, 96, 1, true},
    {"expanded_conv_10", 96, 576, 96, 1, true},
};
constexpr int64_t kV3Stem = 16, kV3Conv1 = 576;
constexpr double kMaxWidthMultiplier = 2.0;

// Channels at width multiplier `wm`: unchanged at 1.0, else rounded to a multiple of 8 (at least 8).
int64_t scaled(int64_t c, double wm) {
  if (wm == 1.0) return c;
  return std::max<int64_t>(8, static_cast<int64_t>(std::llround(c * wm / 8.0)) * 8);
}

torch::Tensor up2(const torch::Tensor& x) {  // TF2 UpSampling2D bilinear = half-pixel centres (nets_more.md §2.5)
  return at::upsample_bilinear2d(x, c10::nullopt, /*align_corners=*/false, std::vector<double>{2.0, 2.0});
}

}  // namespace

TransitionBlockImpl::TransitionBlockImpl(int64_t in, int64_t out) {
  using blocks::conv_options;
  shortcut = register_module("shortcut", torch::nn::Conv2d(conv_options(in, out, 1)));
  shortcut_bn = register_module("shortcut_bn", transition_bn(out));
  dw1 = register_module("dw1", torch::nn::Conv2d(conv_options(in, in, 3, 1, 1, true, in)));
  bn1 = register_module("bn1", transition_bn(in));
  pw1 = register_module("pw1", torch::nn::Conv2d(conv_options(in, out, 1)));
  bn2 = register_module("bn2", transition_bn(out));
  dw2 = register_module("dw2", torch::nn::Conv2d(conv_options(out, out, 3, 1, 1, true, out)));
  bn3 = register_module("bn3", transition_bn(out));
  pw2 = register_module("pw2", torch::nn::Conv2d(conv_options(out, out, 1)));
  bn4 = register_module("bn4", transition_bn(out));
}

std::vector<ConvBnPair> TransitionBlockImpl::conv_bn_pairs() const {
  return {{shortcut.ptr(), shortcut_bn}, {dw1.ptr(), bn1}, {pw1.ptr(), bn2}, {dw2.ptr(), bn3}, {pw2.ptr(), bn4}};
}

torch::Tensor TransitionBlockImpl::forward(const torch::Tensor& x) {
  const auto s = shortcut_bn(shortcut(x));
  auto y = torch::relu(bn1(dw1(x)));
  y = torch::relu(bn2(pw1(y)));
  y = torch::relu(bn3(dw2(y)));
  y = bn4(pw2(y));
  return torch::relu(y + s);
}

MobileUnetV3Impl::MobileUnetV3Impl(const ModelConfig& config, const InputSpec& spec)
    : SegNetImpl("MobileUnetV3", config, spec) {
  const double wm = config.options.get_number("width_multiplier");
  if (!(wm > 0 && wm <= kMaxWidthMultiplier))
    throw std::invalid_argument("model.width_multiplier: expected a number in (0, 2], got " + std::to_string(wm));
  Conv = register_module("Conv", torch::nn::Conv2d(blocks::conv_options(spec.channels, scaled(kV3Stem, wm), 3, 2, 0, false)));
  Conv_BatchNorm = register_module("Conv_BatchNorm", mobilenet_bn(scaled(kV3Stem, wm)));
  std::vector<int64_t> skips;  // widths of the expansions before the stride-2 depthwise convs: A, B, C
  for (const auto& b : kV3Blocks) {
    auto o = InvertedResidualOptions(scaled(b.in, wm), scaled(b.mid, wm), scaled(b.out, wm))
                 .stride(b.stride)
                 .expand(b.expand)
                 .relu6(false);
    encoder_blocks.push_back(register_module(b.name, InvertedResidual(o)));
    if (b.stride == 2 && b.expand) skips.push_back(scaled(b.mid, wm));
  }
  const int64_t last = scaled(kV3Blocks[std::size(kV3Blocks) - 1].out, wm);
  Conv_1 = register_module("Conv_1", torch::nn::Conv2d(blocks::conv_options(last, scaled(kV3Conv1, wm), 1, 1, 0, false)));
  Conv_1_BatchNorm = register_module("Conv_1_BatchNorm", mobilenet_bn(scaled(kV3Conv1, wm)));
  t1 = register_module("t1", TransitionBlock(scaled(kV3Conv1, wm), skips[2]));
  t2 = register_module("t2", TransitionBlock(skips[2], skips[1]));
  t3 = register_module("t3", TransitionBlock(skips[1], skips[0]));
  t4 = register_module("t4", TransitionBlock(skips[0], scaled(kV3Stem, wm)));
  head = register_module("head", torch::nn::Conv2d(blocks::conv_options(scaled(kV3Stem, wm), 2, 1)));
  blocks::glorot_init(*this);
}

NetOutput MobileUnetV3Impl::forward(const torch::Tensor& x) {
  auto y = torch::relu(Conv_BatchNorm(Conv(blocks::tf_same_pad_stride2(x))));
  std::vector<torch::Tensor> skips;
  for (auto& block : encoder_blocks) {
    auto t = block->forward_tapped(y);
    if (block->stride == 2 && block->expand) skips.push_back(t.expanded);
    y = t.out;
  }
  y = Conv_1_BatchNorm(Conv_1(y));
  y = up2(t1(y)) + skips[2];
  y = up2(t2(y)) + skips[1];
  y = up2(t3(y)) + skips[0];
  y = up2(up2(t4(y)));  // two successive 2x resizes, not one 4x
  return {head(y), {}};
}

NetEntry mobile_unet_v3_entry() {
  NetEntry e;
  e.name = "mobile_unet_v3";
  e.summary = "Mobile-Unet v3: MobileNetV3-Small minimalistic encoder, transition-block decoder, 256x256 RGB [-1,1], "
              "softmax head";
  OptionSpec width;
  width.key = "width_multiplier";
  width.kind = OptionSpec::Kind::Number;
  width.default_value = 1.0;
  width.min_number = 0;
  width.max_number = kMaxWidthMultiplier;
  width.help = "scales every channel count (multiples of 8); 1.0 = the published net";
  e.options = {width};
  e.create = [](const ModelConfig& config) -> std::shared_ptr<SegNetImpl> {
    return std::make_shared<MobileUnetV3Impl>(config, configured_spec(symmetric_rgb_softmax_spec(256, 32), config));
  };
  return e;
}

}  // namespace pseg
