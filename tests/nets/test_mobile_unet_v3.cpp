// Mobile-Unet v3 (nets_more.md §2): exact parameter and BN buffer counts per stage, shapes at other sizes, the
// half-pixel upsampling, and the usual net checks. Numerics against the trained file: tests/core/import.
#include "nets/mobile_unet_v3.h"
#include "tests/nets/net_test_util.h"

using namespace pseg;
using namespace pseg::test;

namespace {

std::shared_ptr<MobileUnetV3Impl> mnv3(double wm = 1.0, int64_t h = 0, int64_t w = 0) {
  auto net = std::dynamic_pointer_cast<MobileUnetV3Impl>(
      seeded_net(model("mobile_unet_v3", {{"width_multiplier", wm}}, h, w)));
  REQUIRE(net);
  return net;
}


}  // namespace

TEST_CASE("mobile_unet_v3: parameter and BN buffer counts of nets_more.md §2", "[nets][mobile_unet_v3]") {
  auto net = mnv3();
  CHECK(parameter_values(*net) == 952018);
  CHECK(bn_statistic_values(*net) == 17952);
  // Per stage (§2.3, §2.4).
  CHECK(parameter_values(*net->encoder_blocks[0]) == 464);
  CHECK(parameter_values(*net->encoder_blocks[1]) == 3864);
  CHECK(parameter_values(*net->encoder_blocks[8]) == 45408);
  CHECK(parameter_values(*net->encoder_blocks[10]) == 118272);
  CHECK(parameter_values(*net->t1) == 427680);
  CHECK(parameter_values(*net->t2) == 69984);
  CHECK(parameter_values(*net->t3) == 21672);
  CHECK(parameter_values(*net->t4) == 3760);
  CHECK(parameter_values(*net->head) == 34);
  // BN folded into the convolutions, as the TFLite file holds it: 940,122 (§2.7).
  int64_t folded = 0;
  for (const auto& item : net->named_modules("", false)) {
    if (auto* c = item.value()->as<torch::nn::Conv2d>())
      folded += c->weight.numel() + c->weight.size(0);  // weight + a (folded) bias per output channel
  }
  CHECK(folded == 940122);
}

TEST_CASE("mobile_unet_v3: 2 logits at the input size, any multiple of 32", "[nets][mobile_unet_v3]") {
  for (const auto& [h, w] : {std::pair<int64_t, int64_t>{256, 256}, {224, 320}, {64, 64}}) {
    auto net = mnv3(1.0, h, w);
    net->eval();
    torch::NoGradGuard no_grad;
    const auto out = net->forward(torch::rand({2, 3, h, w}));
    CHECK(out.mask_logits.sizes() == torch::IntArrayRef({2, 2, h, w}));
    CHECK_FALSE(out.boundary_logits.defined());
  }
  CHECK_THROWS_WITH(create_net(model("mobile_unet_v3", {}, 250, 250)), Catch::Contains("multiples of 32"));
  const InputSpec spec = mnv3()->input_spec();
  CHECK(spec.normalization == "symmetric");
  CHECK(spec.mean[0] == 127.5f);
  CHECK(spec.logit_channels == 2);
}

TEST_CASE("mobile_unet_v3: width_multiplier scales every width and the skips still fit", "[nets][mobile_unet_v3]") {
  auto half = mnv3(0.5);
  CHECK(half->t1->pw2->weight.size(0) == 144);  // 288 * 0.5
  CHECK(half->t4->pw2->weight.size(0) == 8);    // 16 * 0.5
  CHECK(parameter_values(*half) < parameter_values(*mnv3()) / 3);
  half->eval();
  torch::NoGradGuard no_grad;
  CHECK(half->forward(torch::rand({1, 3, 256, 256})).mask_logits.sizes() == torch::IntArrayRef({1, 2, 256, 256}));
  CHECK_THROWS_WITH(create_net(model("mobile_unet_v3", {{"width_multiplier", 0.0}})),
                    Catch::Contains("width_multiplier"));
}

TEST_CASE("mobile_unet_v3: gradients and seeded initialisation", "[nets][mobile_unet_v3]") {
  check_backward_finite(mnv3(1.0, 64, 64));
  check_seed_determinism(model("mobile_unet_v3", {}, 64, 64));
}
