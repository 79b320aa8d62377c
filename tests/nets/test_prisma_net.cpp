#include "tests/nets/net_test_util.h"
#include "nets/prisma_net.h"

using namespace pseg;
using namespace pseg::test;

TEST_CASE("prisma_net: parameter count and shapes", "[nets][prisma_net]") {
  auto net = seeded_net(model("prisma_net"));
  REQUIRE(net->parameter_count() == 923057);
  REQUIRE(net->deploy_parameter_count() == 923057);
  REQUIRE(net->buffers().empty());
  net->eval();
  torch::NoGradGuard ng;
  auto out = net->forward(input_for(net));
  REQUIRE(out.mask_logits.sizes() == torch::IntArrayRef({1, 1, 256, 256}));
  REQUIRE_FALSE(out.boundary_logits.defined());

  auto other = seeded_net(model("prisma_net", {}, 320, 192));
  auto y = other->forward(input_for(other, 2)).mask_logits;
  REQUIRE(y.sizes() == torch::IntArrayRef({2, 1, 320, 192}));
}

TEST_CASE("prisma_net: gradients, determinism, no train/eval difference", "[nets][prisma_net]") {
  auto m = model("prisma_net", {}, 64, 64);
  check_backward_finite(seeded_net(m));
  check_seed_determinism(m);
  check_no_mode_difference(m);
}

TEST_CASE("prisma_net: refuses sizes that are not multiples of 16", "[nets][prisma_net]") {
  REQUIRE_THROWS_WITH(create_net(model("prisma_net", {}, 250, 256)),
                      Catch::Contains("model.input_size") && Catch::Contains("multiples of 16"));
}

TEST_CASE("prisma_net: stride-2 convs use TF padding, deconvs crop", "[nets][prisma_net]") {
  auto net = std::dynamic_pointer_cast<PrismaNetImpl>(seeded_net(model("prisma_net")));
  REQUIRE(net);
  const auto& pad = c10::get<torch::ExpandingArray<2>>(net->e1->options.padding());
  REQUIRE((*pad)[0] == 0);  // padding is explicit, bottom/right
  REQUIRE((*c10::get<torch::ExpandingArray<2>>(net->u1->options.padding()))[0] == 0);  // full deconv, then crop
  REQUIRE(net->u1->weight.sizes() == torch::IntArrayRef({128, 128, 3, 3}));
}
