#include "nets/mobile_unet.h"

#include <torch/torch.h>

#include <stdexcept>

#include "nets/net_util.h"
#include "nets/registry.h"

namespace pseg {
namespace {

// Keras MobileNetV2 constants (nets.md §1.5): torch momentum = 1 - Keras momentum.
SyncBatchNorm2d decoder_bn(int64_t c) {
  return SyncBatchNorm2d(torch::nn::BatchNorm2dOptions(c).eps(1e-3).momentum(0.01));
}

struct BlockPlan {
  const char* name;
  int64_t in, out, stride, expansion;
};

// MobileNetV2 alpha 0.5 channel plan up to block_16 (nets.md §2.2).
constexpr BlockPlan kBlocks[] = {
    {"expanded_conv", 16, 8, 1, 1}, {"block_1", 8, 16, 2, 6},   {"block_2", 16, 16, 1, 6},
    {"block_3", 16, 16, 2, 6},      {"block_4", 16, 16, 1, 6},  {"block_5", 16, 16, 1, 6},
    {"block_6", 16, 32, 2, 6},      {"block_7", 32, 32, 1, 6},  {"block_8", 32, 32, 1, 6},
    {"block_9", 32, 32, 1, 6},      {"block_10", 32, 48, 1, 6}, {"block_11", 48, 48, 1, 6},
    {"block_12", 48, 48, 1, 6},     {"block_13", 48, 80, 2, 6}, {"block_14", 80, 80, 1, 6},
    {"block_15", 80, 80, 1, 6},     {"block_16", 80, 160, 1, 6},
};

MobileUnetDecoder parse_decoder(const std::string& v) {
  if (v == "deconv") return MobileUnetDecoder::Deconv;
  if (v == "bilinear") return MobileUnetDecoder::Bilinear;
  throw std::invalid_argument("model.decoder: expected \"deconv\" or \"bilinear\", got \"" + v + "\"");
}

// data.md §6.2: "unit" = RGB/255; "mean_std" = (RGB/255 - mu)/sigma, i.e. mean 255*mu and scale 1/(255*sigma).
InputSpec mobile_unet_spec(const std::string& normalization) {
  InputSpec s;
  s.channels = 3;
  s.native_height = s.native_width = 128;
  s.size_multiple = 32;
  s.color = ColorOrder::RGB;
  s.logit_channels = 1;
  s.normalization = normalization;
  if (normalization == "mean_std") {
    const std::array<double, 3> mu{0.50693673, 0.47721124, 0.44640532};
    const std::array<double, 3> sigma{0.28926975, 0.27801928, 0.28596011};
    for (size_t c = 0; c < 3; ++c) {
      s.mean[c] = static_cast<float>(255.0 * mu[c]);
      s.scale[c] = static_cast<float>(1.0 / (255.0 * sigma[c]));
    }
  } else if (normalization != "unit") {
    throw std::invalid_argument("model.normalization: expected \"unit\" or \"mean_std\", got \"" + normalization + "\"");
  }
  return s;
}

}  // namespace

MobileUnetUpImpl::MobileUnetUpImpl(int64_t in, int64_t out, MobileUnetDecoder decoder, bool dropout_)
    : dropout(dropout_) {
  if (decoder == MobileUnetDecoder::Deconv)
    deconv = register_module("deconv", torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(in, out, 3).stride(2)));
  else
    conv = register_module("conv", torch::nn::Conv2d(blocks::conv_options(in, out, 3, 1, 1)));
  bn = register_module("bn", decoder_bn(out));
}

// The crop after the deconvolution is spatial and dropout runs only in training: the BatchNorm folds into either conv.
std::vector<ConvBnPair> MobileUnetUpImpl::conv_bn_pairs() const {
  return {{deconv ? std::shared_ptr<torch::nn::Module>(deconv.ptr()) : conv.ptr(), bn}};
}

torch::Tensor MobileUnetUpImpl::forward(const torch::Tensor& x) {
  auto y = deconv ? blocks::tf_deconv_crop(blocks::conv_transpose(*deconv, x))
                  : blocks::legacy_bilinear_up2_conv3x3(*conv, x, up_conv_kernel);
  y = bn(y);
  // Skipped outside training so an eval-mode trace (export) holds no dropout node.
  if (dropout && is_training()) y = torch::dropout(y, 0.5, /*train=*/true);
  return torch::relu(y);
}

MobileUnetImpl::MobileUnetImpl(const ModelConfig& config, const InputSpec& spec)
    : SegNetImpl("MobileUnet", config, spec) {
  Conv1 = register_module("Conv1", torch::nn::Conv2d(blocks::conv_options(spec.channels, 16, 3, 2, 0, false)));
  bn_Conv1 = register_module("bn_Conv1", mobilenet_bn(16));
  for (const auto& b : kBlocks)
    encoder_blocks.push_back(register_module(b.name, InvertedResidual(b.in, b.out, b.stride, b.expansion)));

  const auto decoder = parse_decoder(config.options.get_string("decoder"));
  d1 = register_module("d1", MobileUnetUp(160, 512, decoder, true));
  d2 = register_module("d2", MobileUnetUp(512 + 288, 256, decoder, true));
  d3 = register_module("d3", MobileUnetUp(256 + 96, 128, decoder, true));
  d4 = register_module("d4", MobileUnetUp(128 + 96, 64, decoder, true));
  d5 = register_module("d5", MobileUnetUp(64 + 48, 32, decoder, false));
  head = register_module("head", torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(32, 1, 1)));

  // Keras defaults (glorot kernels, zero biases; BN weight 1, bias 0) everywhere, then he_normal on the up-convs.
  blocks::glorot_init(*this);
  for (auto* up : {&d1, &d2, &d3, &d4, &d5}) {
    auto& w = (*up)->deconv ? (*up)->deconv->weight : (*up)->conv->weight;
    blocks::he_normal_truncated_(w);
  }
}

MobileUnetImpl::Features MobileUnetImpl::encode(const torch::Tensor& x) {
  auto y = blocks::relu6_(bn_Conv1(Conv1(blocks::tf_same_pad_stride2(x))));
  Features f;
  size_t tap = 0;
  for (auto& block : encoder_blocks) {
    auto t = block->forward_tapped(y);
    // The skips are the expansions feeding the stride-2 depthwise convs of block_1, 3, 6 and 13.
    if (block->stride == 2) f.skips.at(tap++) = t.expanded;
    y = t.out;
  }
  f.bottleneck = y;
  return f;
}

NetOutput MobileUnetImpl::forward(const torch::Tensor& x) {
  auto f = encode(x);
  auto y = d1(f.bottleneck);
  y = d2(torch::cat({y, f.skips[3]}, 1));
  y = d3(torch::cat({y, f.skips[2]}, 1));
  y = d4(torch::cat({y, f.skips[1]}, 1));
  y = d5(torch::cat({y, f.skips[0]}, 1));
  return {head(y), {}};
}

NetEntry mobile_unet_entry() {
  NetEntry e;
  e.name = "mobile_unet";
  e.summary = "Mobile-Unet: MobileNetV2 alpha 0.5 encoder, U-Net decoder, 128x128 RGB, sigmoid head";
  OptionSpec decoder;
  decoder.key = "decoder";
  decoder.kind = OptionSpec::Kind::Choice;
  decoder.default_value = std::string("deconv");
  decoder.choices = {"deconv", "bilinear"};
  decoder.help = "up path: TF-same transposed conv (deconv) or legacy bilinear 2x + 3x3 conv (bilinear)";
  OptionSpec normalization;
  normalization.key = "normalization";
  normalization.kind = OptionSpec::Kind::Choice;
  normalization.default_value = std::string("unit");
  normalization.choices = {"unit", "mean_std"};
  normalization.help = "input scaling: RGB/255 (unit) or (RGB/255 - mean)/std with the reference statistics (mean_std)";
  e.options = {decoder, normalization};
  e.create = [](const ModelConfig& config) -> std::shared_ptr<SegNetImpl> {
    const InputSpec spec = mobile_unet_spec(config.options.get_string("normalization"));
    return std::make_shared<MobileUnetImpl>(config, configured_spec(spec, config));
  };
  return e;
}

}  // namespace pseg
