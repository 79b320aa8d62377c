// fold_batch_norms: a hand-computed fold, grouped transposed convolutions against the unfolded module, and every
// registered net (random BatchNorm statistics, so a wrongly declared pair shows) giving the unfolded net's logits
// with every BatchNorm folded.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "nets/conv_bn_fold.h"
#include "nets/registry.h"
#include "tests/nets/net_test_util.h"

using namespace pseg;
using pseg::test::model;

namespace {

// Statistics and affine parameters far from the identity, different per channel.
void randomise_batch_norms(torch::nn::Module& net) {
  torch::NoGradGuard no_grad;
  for (const auto& m : net.modules()) {
    if (auto* bn = m->as<SyncBatchNorm2dImpl>()) {
      bn->running_mean.uniform_(-0.5, 0.5);
      bn->running_var.uniform_(0.5, 2.0);
      bn->weight.uniform_(0.5, 1.5);
      bn->bias.uniform_(-0.5, 0.5);
    }
  }
}

int64_t batch_norm_count(torch::nn::Module& net) {
  int64_t n = 0;
  for (const auto& m : net.modules()) n += m->as<SyncBatchNorm2dImpl>() ? 1 : 0;
  return n;
}

double relative_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).abs().max() / b.abs().max()).item<double>();
}

}  // namespace

TEST_CASE("a folded conv + BatchNorm matches the hand-computed affine map", "[conv_bn_fold]") {
  torch::nn::Sequential seq(torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 1, 1).bias(false)),
                            SyncBatchNorm2d(torch::nn::BatchNorm2dOptions(1).eps(1.0)));
  auto conv = seq[0]->as<torch::nn::Conv2dImpl>();
  auto bn = seq[1]->as<SyncBatchNorm2dImpl>();
  {
    torch::NoGradGuard no_grad;
    conv->weight.fill_(2.0);
    bn->running_mean.fill_(1.0);
    bn->running_var.fill_(3.0);  // sqrt(3 + eps 1) = 2
    bn->weight.fill_(4.0);
    bn->bias.fill_(5.0);
  }
  seq->eval();
  // y = (2x - 1) * 4 / 2 + 5 = 4x + 3
  const auto x = torch::tensor({0.5f, -1.f, 2.f}).view({1, 1, 1, 3});
  const auto expected = torch::tensor({5.f, -1.f, 11.f}).view({1, 1, 1, 3});
  CHECK(torch::allclose(seq->forward(x), expected));
  CHECK(fold_batch_norms(*seq) == 1);
  CHECK(conv->weight.item<float>() == 4.f);
  REQUIRE(conv->bias.defined());
  CHECK(conv->bias.item<float>() == 3.f);
  CHECK(bn->folded());
  CHECK(torch::allclose(seq->forward(x), expected));
  CHECK(torch::equal(bn->forward(x), x));  // the folded BatchNorm passes its input through
  CHECK(fold_batch_norms(*seq) == 0);     // already folded

  seq->train();
  CHECK_THROWS_WITH(seq->forward(x), Catch::Contains("cannot train"));
}

TEST_CASE("grouped and plain transposed convolutions fold per output channel", "[conv_bn_fold]") {
  const auto format = GENERATE(torch::MemoryFormat::Contiguous, torch::MemoryFormat::ChannelsLast);
  for (const int64_t groups : {1, 2}) {
    INFO("groups " << groups << ", channels-last weight " << (format == torch::MemoryFormat::ChannelsLast));
    torch::manual_seed(3);
    torch::nn::Sequential seq(
        torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(4, 6, 3).stride(2).groups(groups)),
        SyncBatchNorm2d(torch::nn::BatchNorm2dOptions(6)));
    randomise_batch_norms(*seq);
    {
      torch::NoGradGuard no_grad;
      auto& w = seq[0]->as<torch::nn::ConvTranspose2dImpl>()->weight;
      w.set_data(w.contiguous(format));
    }
    seq->eval();
    const auto x = torch::randn({2, 4, 5, 7});
    const auto expected = seq->forward(x);
    CHECK(fold_batch_norms(*seq) == 1);
    CHECK(relative_difference(seq->forward(x), expected) < 1e-6);
  }
}

TEST_CASE("fold_batch_norms refuses a training net and leaves it unchanged", "[conv_bn_fold]") {
  torch::nn::Sequential seq(torch::nn::Conv2d(torch::nn::Conv2dOptions(2, 3, 3)),
                            SyncBatchNorm2d(torch::nn::BatchNorm2dOptions(3)));
  const auto before = seq[0]->as<torch::nn::Conv2dImpl>()->weight.clone();
  CHECK_THROWS_WITH(fold_batch_norms(*seq), Catch::Contains("eval mode"));
  CHECK(torch::equal(seq[0]->as<torch::nn::Conv2dImpl>()->weight, before));
  CHECK_FALSE(seq[1]->as<SyncBatchNorm2dImpl>()->folded());
}

TEST_CASE("every registered net folds all its BatchNorms and keeps its logits", "[conv_bn_fold]") {
  for (const auto& name : net_registry().names()) {
    DYNAMIC_SECTION(name) {
      // DeepLabV3 at 65x65 (8k + 1) and PortraitNet's 4-channel variant keep the case quick and cover both inputs.
      ModelConfig config = name == "deeplab_v3" ? model(name, {}, 65, 65) : model(name);
      if (name == "portrait_net") config.options.set("in_channels", int64_t{4});
      auto net = test::seeded_net(config, 7);
      randomise_batch_norms(*net);
      net->eval();
      torch::manual_seed(11);
      const auto x = test::input_for(net, 2);
      torch::Tensor expected, folded;
      {
        torch::NoGradGuard no_grad;
        expected = net->forward(x).mask_logits;
        CHECK(fold_batch_norms(*net) == batch_norm_count(*net));
        folded = net->forward(x).mask_logits;
      }
      CHECK(relative_difference(folded, expected) < 1e-4);
    }
  }
}
