// DeepLabV3 (nets_more.md §1): exact parameter and BN buffer counts, the 8k + 1 size rule, both final upsampling
// modes, and the usual net checks. Numerics against the trained file: tests/core/import.
#include "nets/deeplab_v3.h"
#include "tests/nets/net_test_util.h"

using namespace pseg;
using namespace pseg::test;

namespace {

std::shared_ptr<DeepLabV3Impl> deeplab(const std::string& upsample = "align_corners", int64_t size = 0) {
  auto net = std::dynamic_pointer_cast<DeepLabV3Impl>(
      seeded_net(model("deeplab_v3", {{"upsample", upsample}}, size, size)));
  REQUIRE(net);
  return net;
}

}  // namespace

TEST_CASE("deeplab_v3: parameter and BN buffer counts of nets_more.md §1.7", "[nets][deeplab_v3]") {
  auto net = deeplab();
  CHECK(parameter_values(*net) == 692130);
  CHECK(bn_statistic_values(*net) == 17312);
  CHECK(parameter_values(*net->encoder_blocks[0]) == 320);
  CHECK(parameter_values(*net->encoder_blocks[7]) == 14848);
  CHECK(parameter_values(*net->encoder_blocks[16]) == 121760);
  CHECK(net->encoder_blocks[14]->depthwise->options.dilation()->at(0) == 4);
  CHECK(parameter_values(*net->aspp0) + parameter_values(*net->aspp0_BatchNorm) == 41472);
}

TEST_CASE("deeplab_v3: 2 logits at the input size for 8k + 1 inputs", "[nets][deeplab_v3]") {
  for (const int64_t size : {513, 257, 65}) {
    auto net = deeplab("align_corners", size);
    net->eval();
    torch::NoGradGuard no_grad;
    CHECK(net->forward(torch::rand({1, 3, size, size})).mask_logits.sizes() ==
          torch::IntArrayRef({1, 2, size, size}));
  }
  CHECK_THROWS_WITH(create_net(model("deeplab_v3", {}, 512, 512)), Catch::Contains("8k + 1"));
}

TEST_CASE("deeplab_v3: model.upsample chooses the final upsampling", "[nets][deeplab_v3]") {
  // The asymmetric rule itself: tests/nets/test_blocks; both modes against the trained file: tests/core/import.
  CHECK(deeplab("align_corners")->align_corners);
  CHECK_FALSE(deeplab("asymmetric")->align_corners);
  CHECK_THROWS_AS(create_net(model("deeplab_v3", {{"upsample", std::string("nearest")}})), std::invalid_argument);
}

TEST_CASE("deeplab_v3: gradients and seeded initialisation", "[nets][deeplab_v3]") {
  check_backward_finite(deeplab("align_corners", 65));
  check_seed_determinism(model("deeplab_v3", {}, 65, 65));
}
