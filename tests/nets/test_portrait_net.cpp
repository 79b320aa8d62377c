#include "tests/nets/net_test_util.h"
#include "nets/portrait_net.h"
#include "nets/sync_batch_norm.h"

using namespace pseg;
using namespace pseg::test;

namespace {

std::shared_ptr<PortraitNetImpl> portrait(std::map<std::string, OptionValue> options = {}, int64_t h = 0,
                                          int64_t w = 0) {
  auto net = std::dynamic_pointer_cast<PortraitNetImpl>(seeded_net(model("portrait_net", std::move(options), h, w)));
  REQUIRE(net);
  return net;
}

int64_t count(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

int64_t bn_running_stat_elements(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& b : m.named_buffers()) {
    const auto& key = b.key();
    if (key.find("running_mean") != std::string::npos || key.find("running_var") != std::string::npos)
      n += b.value().numel();
  }
  return n;
}

}  // namespace

TEST_CASE("portrait_net: parameter counts of the four variants", "[nets][portrait_net]") {
  struct Variant {
    int64_t in_channels;
    bool boundary;
    int64_t params, deploy;
  };
  for (const auto& v : {Variant{3, false, 2080760, 2080760}, Variant{3, true, 2080904, 2080760},
                        Variant{4, false, 2081048, 2081048}, Variant{4, true, 2081192, 2081048}}) {
    INFO("in_channels=" << v.in_channels << " boundary_head=" << v.boundary);
    auto net = portrait({{"in_channels", v.in_channels}, {"boundary_head", v.boundary}});
    REQUIRE(net->parameter_count() == v.params);
    REQUIRE(net->deploy_parameter_count() == v.deploy);
    REQUIRE(bn_running_stat_elements(*net) == 34000);
    REQUIRE(static_cast<bool>(net->edge) == v.boundary);
  }
}

TEST_CASE("portrait_net: per-stage parameter counts match the layer table", "[nets][portrait_net]") {
  auto net = portrait({{"boundary_head", true}});
  CHECK(count(*net->stage0) == 928);
  CHECK(count(*net->stage1) == 1984);
  CHECK(count(*net->stage2) == 13968);
  CHECK(count(*net->stage3) == 39696);
  CHECK(count(*net->stage4) == 183872);
  CHECK(count(*net->stage5) == 303168);
  CHECK(count(*net->stage6) == 795264);
  CHECK(count(*net->stage7) == 473920);
  const int64_t encoder = count(*net->stage0) + count(*net->stage1) + count(*net->stage2) + count(*net->stage3) +
                          count(*net->stage4) + count(*net->stage5) + count(*net->stage6) + count(*net->stage7);
  CHECK(encoder == 1812800);
  CHECK(count(*net->transit1) == 75808);
  CHECK(count(*net->deconv1) == 147456);
  CHECK(count(*net->transit2) == 8768);
  CHECK(count(*net->deconv2) == 16384);
  CHECK(count(*net->transit3) == 2872);
  CHECK(count(*net->deconv3) == 9216);
  CHECK(count(*net->transit4) == 1560);
  CHECK(count(*net->deconv4) == 4096);
  CHECK(count(*net->transit5) == 632);
  CHECK(count(*net->deconv5) == 1024);
  CHECK(count(*net->pred) == 144);
  CHECK(count(*net->edge) == 144);
  CHECK(count(*portrait({{"in_channels", int64_t{4}}})->stage0) == 1216);
  // Every transition block changes width, so each has a projection shortcut.
  for (const auto& t : {net->transit1, net->transit2, net->transit3, net->transit4, net->transit5})
    CHECK(static_cast<bool>(t->residual));
  int64_t convs = 0;
  for (const auto& m : net->modules(false)) {
    if (auto* c = m->as<torch::nn::Conv2d>()) {
      CHECK_FALSE(c->bias.defined());
      ++convs;
    }
    if (auto* d = m->as<torch::nn::ConvTranspose2d>()) {
      CHECK_FALSE(d->bias.defined());
      ++convs;
    }
  }
  // No convolution has a bias: stage0, 17 IR blocks x 3, 5 transit blocks x 5, 5 deconvs, pred, edge.
  CHECK(convs == 1 + 17 * 3 + 5 * 5 + 5 + 2);
}

TEST_CASE("portrait_net: output shapes with and without the boundary head", "[nets][portrait_net]") {
  torch::NoGradGuard ng;
  for (bool boundary : {false, true}) {
    INFO("boundary_head=" << boundary);
    auto net = portrait({{"boundary_head", boundary}});
    net->eval();
    auto out = net->forward(input_for(net));
    REQUIRE(out.mask_logits.sizes() == torch::IntArrayRef({1, 2, 224, 224}));
    REQUIRE(out.boundary_logits.defined() == boundary);
    if (boundary) REQUIRE(out.boundary_logits.sizes() == torch::IntArrayRef({1, 2, 224, 224}));

    auto other = portrait({{"in_channels", int64_t{4}}, {"boundary_head", boundary}}, 256, 320);
    other->eval();
    auto y = other->forward(input_for(other));
    REQUIRE(y.mask_logits.sizes() == torch::IntArrayRef({1, 2, 256, 320}));
    REQUIRE(y.boundary_logits.defined() == boundary);
    if (boundary) REQUIRE(y.boundary_logits.sizes() == torch::IntArrayRef({1, 2, 256, 320}));
  }
}

TEST_CASE("portrait_net: input spec", "[nets][portrait_net]") {
  const InputSpec s = portrait()->input_spec();
  CHECK(s.channels == 3);
  CHECK_FALSE(s.prior_channel);
  CHECK(s.height == 224);
  CHECK(s.width == 224);
  CHECK(s.native_height == 224);
  CHECK(s.size_multiple == 32);
  CHECK(s.color == ColorOrder::BGR);
  CHECK(s.mean == std::array<float, 3>{103.94f, 116.78f, 123.68f});
  CHECK(s.scale == std::array<float, 3>{0.017f, 0.017f, 0.017f});
  CHECK(s.normalization == "portraitnet");
  CHECK(s.logit_channels == 2);
  CHECK(s.resize == ResizeMode::PadToSquare);
  CHECK(s.pad_value == 128.f);
  const InputSpec v = portrait({{"in_channels", int64_t{4}}})->input_spec();
  CHECK(v.channels == 4);
  CHECK(v.prior_channel);
}

TEST_CASE("portrait_net: gradients, determinism, BN makes train and eval differ", "[nets][portrait_net]") {
  check_backward_finite(seeded_net(model("portrait_net", {{"boundary_head", true}}, 64, 64)));
  check_backward_finite(seeded_net(model("portrait_net", {{"in_channels", int64_t{4}}}, 64, 64)));
  check_seed_determinism(model("portrait_net", {}, 64, 64));

  auto net = portrait({}, 64, 64);
  auto x = input_for(net, 2);
  torch::NoGradGuard ng;
  net->train();
  auto a = net->forward(x).mask_logits;
  net->eval();
  REQUIRE_FALSE(torch::allclose(a, net->forward(x).mask_logits));
}

TEST_CASE("portrait_net: refuses bad sizes and channel counts", "[nets][portrait_net]") {
  REQUIRE_THROWS_WITH(create_net(model("portrait_net", {}, 200, 224)),
                      Catch::Contains("model.input_size") && Catch::Contains("200x224") &&
                          Catch::Contains("multiples of 32"));
  REQUIRE_THROWS_WITH(create_net(model("portrait_net", {{"in_channels", int64_t{5}}})),
                      Catch::Contains("model.in_channels") && Catch::Contains("5"));
}

TEST_CASE("portrait_net: initialisation follows the reference", "[nets][portrait_net]") {
  auto net = portrait();
  // Bilinear profile broadcast into every (in, out) pair, as the reference's copy_ does.
  const auto profile = torch::tensor({0.25f, 0.75f, 0.75f, 0.25f});
  const auto kernel = torch::outer(profile, profile);
  for (const auto& d : {net->deconv1, net->deconv2, net->deconv3, net->deconv4, net->deconv5}) {
    const auto& w = d->weight;
    REQUIRE(w.size(0) == w.size(1));
    REQUIRE(torch::equal(w, kernel.expand_as(w)));
  }
  // kaiming_normal fan_in: std sqrt(2 / fan_in); stage6.0's 1x1 expansion has 96 * 576 weights, fan_in 96.
  auto* expand = net->stage6[0]->as<PortraitInvertedResidualImpl>()->conv[0]->as<torch::nn::Conv2d>();
  REQUIRE(expand->weight.sizes() == torch::IntArrayRef({576, 96, 1, 1}));
  CHECK(expand->weight.std().item<double>() == Approx(std::sqrt(2.0 / 96)).epsilon(0.03));
  CHECK(expand->weight.mean().item<double>() == Approx(0).margin(0.005));
  for (const auto& m : net->modules(false)) {
    if (auto* bn = m->as<SyncBatchNorm2d>()) {
      CHECK(torch::all(bn->weight == 1).item<bool>());
      CHECK(torch::all(bn->bias == 0).item<bool>());
      CHECK(bn->options.eps() == 1e-5);
      CHECK(bn->options.momentum().value() == 0.1);
    }
  }
}

TEST_CASE("portrait_net: residual connections only where shapes allow", "[nets][portrait_net]") {
  auto net = portrait();
  auto block = [](const torch::nn::Sequential& s, size_t i) { return s->ptr(i)->as<PortraitInvertedResidualImpl>(); };
  CHECK_FALSE(net->stage1->use_residual);            // 32 -> 16
  CHECK_FALSE(block(net->stage2, 0)->use_residual);  // stride 2
  CHECK(block(net->stage2, 1)->use_residual);
  CHECK_FALSE(block(net->stage5, 0)->use_residual);  // 64 -> 96 at stride 1
  CHECK(block(net->stage5, 2)->use_residual);
  CHECK_FALSE(net->stage7->use_residual);
  // The 1x1 expansion exists even for t = 1: stage1 starts with a 32 -> 32 pointwise conv.
  auto* first = net->stage1->conv[0]->as<torch::nn::Conv2d>();
  CHECK(first->weight.sizes() == torch::IntArrayRef({32, 32, 1, 1}));
}

TEST_CASE("portrait_net: a 4-channel net reads the prior channel", "[nets][portrait_net]") {
  auto net = portrait({{"in_channels", int64_t{4}}}, 64, 64);
  net->eval();
  torch::NoGradGuard ng;
  auto x = input_for(net);
  auto changed = x.clone();
  changed.select(1, 3).fill_(1.f - changed.select(1, 3).mean().item<float>());
  REQUIRE(torch::equal(x.slice(1, 0, 3), changed.slice(1, 0, 3)));
  const auto a = net->forward(x).mask_logits;
  const auto b = net->forward(changed).mask_logits;
  REQUIRE_FALSE(torch::allclose(a, b));
  REQUIRE(torch::equal(a, net->forward(x).mask_logits));
}
