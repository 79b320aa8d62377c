#include "nets/prisma_net.h"

#include <torch/torch.h>

#include "nets/net_util.h"
#include "nets/registry.h"

namespace pseg {
namespace {

torch::nn::ModuleList residual_stack(int64_t n, int count) {
  torch::nn::ModuleList list;
  for (int i = 0; i < count; ++i) list->push_back(PrismaResidual(n));
  return list;
}

torch::Tensor run_stack(const torch::nn::ModuleList& list, torch::Tensor x) {
  for (const auto& m : *list) x = m->as<PrismaResidualImpl>()->forward(x);
  return x;
}

torch::nn::ConvTranspose2d tf_deconv(int64_t in, int64_t out) {
  return torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(in, out, 3).stride(2));
}

InputSpec prisma_spec() {
  InputSpec s;
  s.channels = 3;
  s.native_height = s.native_width = 256;
  s.size_multiple = 16;
  s.color = ColorOrder::RGB;
  s.logit_channels = 1;
  return s;
}

}  // namespace

PrismaResidualImpl::PrismaResidualImpl(int64_t n) {
  sep1 = register_module("sep1", blocks::SeparableConv2d(n, n, 3));
  sep2 = register_module("sep2", blocks::SeparableConv2d(n, n, 3));
}

torch::Tensor PrismaResidualImpl::forward(const torch::Tensor& x) {
  return x + sep2(torch::relu(sep1(torch::relu(x))));
}

PrismaNetImpl::PrismaNetImpl(const ModelConfig& config, const InputSpec& spec) : SegNetImpl("PrismaNet", config, spec) {
  using blocks::conv_options;
  e0 = register_module("e0", torch::nn::Conv2d(conv_options(3, 8, 3, 1, 1)));
  res1 = register_module("res1", PrismaResidual(8));
  e1 = register_module("e1", torch::nn::Conv2d(conv_options(8, 32, 3, 2)));
  res2 = register_module("res2", PrismaResidual(32));
  e2 = register_module("e2", torch::nn::Conv2d(conv_options(32, 64, 3, 2)));
  res3 = register_module("res3", PrismaResidual(64));
  e3 = register_module("e3", torch::nn::Conv2d(conv_options(64, 128, 3, 2)));
  res4 = register_module("res4", residual_stack(128, 2));
  e4 = register_module("e4", torch::nn::Conv2d(conv_options(128, 128, 3, 2)));
  mid = register_module("mid", residual_stack(128, 6));
  u1 = register_module("u1", tf_deconv(128, 128));
  d1 = register_module("d1", residual_stack(128, 3));
  u2 = register_module("u2", tf_deconv(128, 64));
  d2 = register_module("d2", residual_stack(64, 3));
  u3 = register_module("u3", tf_deconv(64, 32));
  d3 = register_module("d3", residual_stack(32, 3));
  u4 = register_module("u4", tf_deconv(32, 8));
  d4 = register_module("d4", residual_stack(8, 3));
  head = register_module("head", torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(8, 1, 1)));
  blocks::glorot_init(*this);
}

NetOutput PrismaNetImpl::forward(const torch::Tensor& x) {
  using blocks::tf_deconv_crop;
  using blocks::tf_same_pad_stride2;
  auto s1 = res1(e0(x));
  auto s2 = res2(e1(tf_same_pad_stride2(s1)));
  auto s3 = res3(e2(tf_same_pad_stride2(s2)));
  auto s4 = run_stack(res4, e3(tf_same_pad_stride2(s3)));
  auto y = run_stack(mid, e4(tf_same_pad_stride2(s4)));
  y = run_stack(d1, tf_deconv_crop(blocks::conv_transpose(*u1, y)) + s4);
  y = run_stack(d2, tf_deconv_crop(blocks::conv_transpose(*u2, y)) + s3);
  y = run_stack(d3, tf_deconv_crop(blocks::conv_transpose(*u3, y)) + s2);
  y = run_stack(d4, tf_deconv_crop(blocks::conv_transpose(*u4, y)) + s1);
  return {head(y), {}};
}

NetEntry prisma_net_entry() {
  NetEntry e;
  e.name = "prisma_net";
  e.summary = "Prisma-Net: separable residual encoder-decoder, no BN, 256x256 RGB/255, sigmoid head";
  e.create = [](const ModelConfig& config) -> std::shared_ptr<SegNetImpl> {
    return std::make_shared<PrismaNetImpl>(config, configured_spec(prisma_spec(), config));
  };
  return e;
}

}  // namespace pseg
