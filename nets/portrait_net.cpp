#include "nets/portrait_net.h"

#include <torch/torch.h>

#include "nets/blocks.h"
#include "nets/net_util.h"
#include "nets/registry.h"
#include "nets/sync_batch_norm.h"

namespace pseg {
namespace {

using blocks::conv_options;

SyncBatchNorm2d bn(int64_t c) {
  return SyncBatchNorm2d(torch::nn::BatchNorm2dOptions(c).eps(1e-5).momentum(0.1));
}

torch::nn::Conv2d bare_conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t groups = 1) {
  return torch::nn::Conv2d(conv_options(in, out, kernel, stride, (kernel - 1) / 2, /*bias=*/false, groups));
}

// conv_bn: 3x3 conv, BN, ReLU.
torch::nn::Sequential conv_bn(int64_t in, int64_t out, int64_t stride) {
  return torch::nn::Sequential(bare_conv(in, out, 3, stride), bn(out), torch::nn::ReLU());
}

// conv_dw: depthwise 3x3, BN, ReLU, 1x1, BN, ReLU. A Sequential nested in the transit block's Sequential (as in
// the reference, keys block.0.*); a plain Sequential cannot be nested, its forward is a template.
struct ConvDwImpl : torch::nn::SequentialImpl {
  ConvDwImpl(int64_t in, int64_t out)
      : torch::nn::SequentialImpl(bare_conv(in, in, 3, 1, in), bn(in), torch::nn::ReLU(), bare_conv(in, out, 1),
                                  bn(out), torch::nn::ReLU()) {}
  torch::Tensor forward(torch::Tensor x) { return torch::nn::SequentialImpl::forward(x); }
};
TORCH_MODULE(ConvDw);

torch::nn::Sequential ir_stack(int64_t in, int64_t out, int64_t stride, int64_t count) {
  torch::nn::Sequential s;
  s->push_back(PortraitInvertedResidual(in, out, stride, 6));
  for (int64_t i = 1; i < count; ++i) s->push_back(PortraitInvertedResidual(out, out, 1, 6));
  return s;
}

torch::nn::ConvTranspose2d deconv_up2(int64_t c) {
  return torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(c, c, 4).stride(2).padding(1).bias(false));
}

// Caffe/FCN bilinear kernel of size 4 (profile 0.25, 0.75, 0.75, 0.25). The reference copy_s a (C,1,4,4) tensor
// into the (C,C,4,4) weight, which broadcasts the kernel into every (in, out) pair; reproduced as such.
void bilinear_fill_(torch::Tensor& w) {
  const int64_t k = w.size(2);
  const double factor = static_cast<double>((k + 1) / 2);
  const double center = k % 2 == 1 ? factor - 1 : factor - 0.5;
  auto profile = 1 - (torch::arange(k, torch::kDouble) - center).abs() / factor;
  w.copy_(torch::outer(profile, profile).to(w.dtype()).expand_as(w));
}

// Reference _initialize_weights: kaiming fan_in for convs, BN 1/0, bilinear deconvs.
void portrait_init(torch::nn::Module& net) {
  torch::NoGradGuard no_grad;
  for (auto& m : net.modules(/*include_self=*/false)) {
    if (auto* c = m->as<torch::nn::Conv2d>()) {
      torch::nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanIn, torch::kReLU);
    } else if (auto* d = m->as<torch::nn::ConvTranspose2d>()) {
      bilinear_fill_(d->weight);
    } else if (auto* b = m->as<SyncBatchNorm2d>()) {
      b->weight.fill_(1);
      b->bias.zero_();
    }
  }
}

InputSpec portrait_spec(int64_t in_channels) {
  InputSpec s;
  s.channels = in_channels;
  s.prior_channel = in_channels == 4;
  s.native_height = s.native_width = 224;
  s.size_multiple = 32;
  s.color = ColorOrder::BGR;
  s.mean = {103.94f, 116.78f, 123.68f};
  s.scale = {0.017f, 0.017f, 0.017f};
  s.normalization = "portraitnet";
  s.logit_channels = 2;
  s.resize = ResizeMode::PadToSquare;
  s.pad_value = 128.f;
  return s;
}

}  // namespace

PortraitInvertedResidualImpl::PortraitInvertedResidualImpl(int64_t in, int64_t out, int64_t stride, int64_t expand)
    : use_residual(stride == 1 && in == out) {
  const int64_t hidden = in * expand;
  conv = register_module(
      "conv", torch::nn::Sequential(bare_conv(in, hidden, 1), bn(hidden), torch::nn::ReLU(),
                                    bare_conv(hidden, hidden, 3, stride, hidden), bn(hidden), torch::nn::ReLU(),
                                    bare_conv(hidden, out, 1), bn(out)));
}

torch::Tensor PortraitInvertedResidualImpl::forward(const torch::Tensor& x) {
  return use_residual ? x + conv->forward(x) : conv->forward(x);
}

PortraitResidualBlockImpl::PortraitResidualBlockImpl(int64_t in, int64_t out) {
  block = register_module("block", torch::nn::Sequential(ConvDw(in, out), bare_conv(out, out, 3, 1, out), bn(out),
                                                         torch::nn::ReLU(), bare_conv(out, out, 1), bn(out)));
  if (in != out) residual = register_module("residual", torch::nn::Sequential(bare_conv(in, out, 1), bn(out)));
}

torch::Tensor PortraitResidualBlockImpl::forward(const torch::Tensor& x) {
  auto shortcut = residual ? residual->forward(x) : x;
  return torch::relu(block->forward(x) + shortcut);
}

PortraitNetImpl::PortraitNetImpl(const ModelConfig& config, const InputSpec& spec)
    : SegNetImpl("PortraitNet", config, spec) {
  stage0 = register_module("stage0", conv_bn(spec.channels, 32, 2));
  stage1 = register_module("stage1", PortraitInvertedResidual(32, 16, 1, 1));
  stage2 = register_module("stage2", ir_stack(16, 24, 2, 2));
  stage3 = register_module("stage3", ir_stack(24, 32, 2, 3));
  stage4 = register_module("stage4", ir_stack(32, 64, 2, 4));
  stage5 = register_module("stage5", ir_stack(64, 96, 1, 3));
  stage6 = register_module("stage6", ir_stack(96, 160, 2, 3));
  stage7 = register_module("stage7", PortraitInvertedResidual(160, 320, 1, 6));
  transit1 = register_module("transit1", PortraitResidualBlock(320, 96));
  transit2 = register_module("transit2", PortraitResidualBlock(96, 32));
  transit3 = register_module("transit3", PortraitResidualBlock(32, 24));
  transit4 = register_module("transit4", PortraitResidualBlock(24, 16));
  transit5 = register_module("transit5", PortraitResidualBlock(16, 8));
  deconv1 = register_module("deconv1", deconv_up2(96));
  deconv2 = register_module("deconv2", deconv_up2(32));
  deconv3 = register_module("deconv3", deconv_up2(24));
  deconv4 = register_module("deconv4", deconv_up2(16));
  deconv5 = register_module("deconv5", deconv_up2(8));
  pred = register_module("pred", bare_conv(8, 2, 3));
  if (config.options.get_bool("boundary_head")) edge = register_module("edge", bare_conv(8, 2, 3));
  portrait_init(*this);
}

NetOutput PortraitNetImpl::forward(const torch::Tensor& x) {
  auto f4 = stage2->forward(stage1(stage0->forward(x)));
  auto f8 = stage3->forward(f4);
  auto f16 = stage5->forward(stage4->forward(f8));
  auto f32 = stage7(stage6->forward(f16));
  auto up16 = blocks::conv_transpose(*deconv1, transit1(f32));
  auto up8 = blocks::conv_transpose(*deconv2, transit2(f16 + up16));
  auto up4 = blocks::conv_transpose(*deconv3, transit3(f8 + up8));
  auto up2 = blocks::conv_transpose(*deconv4, transit4(f4 + up4));
  auto up1 = blocks::conv_transpose(*deconv5, transit5(up2));  // no skip at 1/2
  return {pred(up1), edge ? edge(up1) : torch::Tensor()};
}

NetEntry portrait_net_entry() {
  NetEntry e;
  e.name = "portrait_net";
  e.summary = "PortraitNet: MobileNetV2 encoder, residual deconv decoder, 224x224 BGR, softmax head";
  e.options = {
      {"in_channels", OptionSpec::Kind::Int, int64_t{3}, {}, {3, 4}, "3 = BGR image; 4 = BGR + previous-frame prior"},
      {"boundary_head", OptionSpec::Kind::Bool, false, {}, {}, "training-only edge logits for the boundary loss"},
  };
  e.create = [](const ModelConfig& config) -> std::shared_ptr<SegNetImpl> {
    const int64_t in_channels = config.options.get_int("in_channels");
    if (in_channels != 3 && in_channels != 4)
      throw std::invalid_argument("model.in_channels: expected 3 or 4, got " + std::to_string(in_channels));
    return std::make_shared<PortraitNetImpl>(config, configured_spec(portrait_spec(in_channels), config));
  };
  return e;
}

}  // namespace pseg
