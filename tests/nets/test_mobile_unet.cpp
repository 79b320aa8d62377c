#include <cctype>
#include <cmath>

#include "nets/mobile_unet.h"
#include "tests/nets/net_test_util.h"

using namespace pseg;
using namespace pseg::test;

namespace {

std::shared_ptr<MobileUnetImpl> mobile_unet(const std::string& decoder, int64_t h = 0, int64_t w = 0,
                                            uint64_t seed = 0) {
  auto net = std::dynamic_pointer_cast<MobileUnetImpl>(
      seeded_net(model("mobile_unet", {{"decoder", std::string(decoder)}}, h, w), seed));
  REQUIRE(net);
  return net;
}

int64_t bn_running_elements(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& b : m.named_buffers())
    if (b.key().find("running_") != std::string::npos) n += b.value().numel();
  return n;
}

torch::Tensor up_weight(const MobileUnetUp& up) { return up->deconv ? up->deconv->weight : up->conv->weight; }

}  // namespace

TEST_CASE("mobile_unet: parameter and BN buffer counts", "[nets][mobile_unet]") {
  for (const std::string decoder : {"deconv", "bilinear"}) {
    INFO("decoder " << decoder);
    auto net = mobile_unet(decoder);
    REQUIRE(net->parameter_count() == 3630593);
    REQUIRE(net->deploy_parameter_count() == 3630593);
    REQUIRE(bn_running_elements(*net) == 17968);
  }
}

TEST_CASE("mobile_unet: defaults and output shapes", "[nets][mobile_unet]") {
  auto def = seeded_net(model("mobile_unet"));
  REQUIRE(def->config().options.get_string("decoder") == "deconv");
  REQUIRE(def->config().options.get_string("normalization") == "unit");
  REQUIRE(std::dynamic_pointer_cast<MobileUnetImpl>(def)->d1->deconv);

  torch::NoGradGuard ng;
  for (const std::string decoder : {"deconv", "bilinear"}) {
    INFO("decoder " << decoder);
    auto net = mobile_unet(decoder);
    net->eval();
    REQUIRE(net->input_spec().height == 128);
    REQUIRE(net->input_spec().width == 128);
    auto out = net->forward(input_for(net));
    REQUIRE(out.mask_logits.sizes() == torch::IntArrayRef({1, 1, 128, 128}));
    REQUIRE_FALSE(out.boundary_logits.defined());

    auto other = mobile_unet(decoder, 96, 160);
    other->eval();
    REQUIRE(other->forward(input_for(other, 2)).mask_logits.sizes() == torch::IntArrayRef({2, 1, 96, 160}));
  }
}

TEST_CASE("mobile_unet: skip taps and decoder widths", "[nets][mobile_unet]") {
  auto net = mobile_unet("deconv");
  net->eval();
  torch::NoGradGuard ng;
  const auto f = net->encode(input_for(net));
  REQUIRE(f.bottleneck.sizes() == torch::IntArrayRef({1, 160, 4, 4}));
  REQUIRE(f.skips[0].sizes() == torch::IntArrayRef({1, 48, 64, 64}));   // block_1_expand_relu
  REQUIRE(f.skips[1].sizes() == torch::IntArrayRef({1, 96, 32, 32}));   // block_3_expand_relu
  REQUIRE(f.skips[2].sizes() == torch::IntArrayRef({1, 96, 16, 16}));   // block_6_expand_relu
  REQUIRE(f.skips[3].sizes() == torch::IntArrayRef({1, 288, 8, 8}));    // block_13_expand_relu
  for (const auto& s : f.skips) REQUIRE(s.min().item<float>() >= 0.f);  // post-ReLU6
  for (const auto& s : f.skips) REQUIRE(s.max().item<float>() <= 6.f);

  // ConvTranspose2d weight is (in, out, k, k): the concatenations are 800, 352, 224 and 112 wide.
  REQUIRE(net->d1->deconv->weight.sizes() == torch::IntArrayRef({160, 512, 3, 3}));
  REQUIRE(net->d2->deconv->weight.sizes() == torch::IntArrayRef({800, 256, 3, 3}));
  REQUIRE(net->d3->deconv->weight.sizes() == torch::IntArrayRef({352, 128, 3, 3}));
  REQUIRE(net->d4->deconv->weight.sizes() == torch::IntArrayRef({224, 64, 3, 3}));
  REQUIRE(net->d5->deconv->weight.sizes() == torch::IntArrayRef({112, 32, 3, 3}));
  REQUIRE(net->head->weight.sizes() == torch::IntArrayRef({32, 1, 1, 1}));
  REQUIRE(net->head->bias.defined());
}

TEST_CASE("mobile_unet: Keras layer names and encoder conventions", "[nets][mobile_unet]") {
  auto net = mobile_unet("deconv");
  const auto params = net->named_parameters();
  const auto buffers = net->named_buffers();
  for (const char* name : {"Conv1.weight", "bn_Conv1.weight", "expanded_conv.depthwise.weight",
                           "expanded_conv.project_BN.bias", "block_1.expand.weight", "block_13.expand_BN.weight",
                           "block_16.project.weight", "d5.bn.weight", "head.bias"}) {
    INFO(name);
    REQUIRE(params.contains(name));
  }
  REQUIRE(buffers.contains("block_16.project_BN.running_var"));
  REQUIRE_FALSE(params.contains("expanded_conv.expand.weight"));
  REQUIRE_FALSE(params.contains("block_17.project.weight"));
  REQUIRE(net->encoder_blocks.size() == 17);

  // No encoder conv has a bias; stride-2 convs pad explicitly (TF 'same' bottom/right), stride-1 symmetrically.
  for (const auto& p : params) {
    const bool decoder = p.key().rfind("head.", 0) == 0 || (p.key()[0] == 'd' && std::isdigit(p.key()[1]));
    if (!decoder && p.value().dim() == 4) REQUIRE_FALSE(params.contains(p.key().substr(0, p.key().size() - 6) + "bias"));
  }
  auto padding = [](const torch::nn::Conv2d& c) { return (*c10::get<torch::ExpandingArray<2>>(c->options.padding()))[0]; };
  REQUIRE(padding(net->Conv1) == 0);
  REQUIRE((*net->Conv1->options.stride())[0] == 2);
  for (const auto& block : net->encoder_blocks) {
    REQUIRE(padding(block->depthwise) == (block->stride == 2 ? 0 : 1));
    REQUIRE(block->depthwise->options.groups() == block->depthwise->options.in_channels());
  }
  REQUIRE(net->encoder_blocks[2]->residual);       // block_2: 16 -> 16, stride 1
  REQUIRE_FALSE(net->encoder_blocks[10]->residual);  // block_10: 32 -> 48
  REQUIRE_FALSE(net->encoder_blocks[13]->residual);  // block_13: stride 2

  REQUIRE(net->bn_Conv1->options.eps() == Approx(1e-3));
  REQUIRE(net->bn_Conv1->options.momentum().value() == Approx(0.001));
  REQUIRE(net->d1->bn->options.eps() == Approx(1e-3));
  REQUIRE(net->d1->bn->options.momentum().value() == Approx(0.01));
}

TEST_CASE("mobile_unet: initialisation", "[nets][mobile_unet]") {
  auto net = mobile_unet("bilinear");
  for (const auto* up : {&net->d1, &net->d2, &net->d3, &net->d4, &net->d5}) {
    const auto w = up_weight(*up);
    const double sigma = std::sqrt(2.0 / static_cast<double>(w.size(1) * w.size(2) * w.size(3)));
    REQUIRE(w.abs().max().item<double>() <= 2.0 * sigma + 1e-6);  // truncated he_normal
    REQUIRE(w.std().item<double>() > 0.7 * sigma);
    REQUIRE((*up)->conv->bias.abs().max().item<float>() == 0.f);
    REQUIRE(torch::all((*up)->bn->weight == 1).item<bool>());
    REQUIRE((*up)->bn->bias.abs().max().item<float>() == 0.f);
  }
  // Encoder: glorot_uniform, bound sqrt(6 / (fan_in + fan_out)); project 1x1 48->80 of block_13.
  const auto w = net->encoder_blocks[13]->project->weight;
  REQUIRE(w.abs().max().item<double>() <= std::sqrt(6.0 / (288 + 80)) + 1e-6);
  REQUIRE(w.abs().max().item<double>() > 0.5 * std::sqrt(6.0 / (288 + 80)));
}

TEST_CASE("mobile_unet: gradients, determinism, dropout and BN modes", "[nets][mobile_unet]") {
  for (const std::string decoder : {"deconv", "bilinear"}) {
    INFO("decoder " << decoder);
    auto m = model("mobile_unet", {{"decoder", decoder}}, 64, 64);
    check_backward_finite(seeded_net(m));
    check_seed_determinism(m);

    auto net = seeded_net(m);
    auto x = input_for(net, 2);
    torch::NoGradGuard ng;
    net->eval();
    auto e1 = net->forward(x).mask_logits;
    REQUIRE(torch::equal(e1, net->forward(x).mask_logits));  // no dropout in eval
    net->train();
    torch::manual_seed(1);
    auto t1 = net->forward(x).mask_logits;
    torch::manual_seed(2);
    auto t2 = net->forward(x).mask_logits;
    REQUIRE_FALSE(torch::allclose(t1, t2));  // dropout draws differ
    REQUIRE_FALSE(torch::allclose(t1, e1));
  }
}

TEST_CASE("mobile_unet: deconv and bilinear differ only in the up-convolutions", "[nets][mobile_unet]") {
  auto deconv = mobile_unet("deconv");
  auto bilinear = mobile_unet("bilinear");
  const auto a = deconv->named_parameters();
  const auto b = bilinear->named_parameters();
  REQUIRE(a.size() == b.size());
  int64_t up_convs = 0;
  for (const auto& p : a) {
    const std::string& key = p.key();
    const auto dot = key.find(".deconv.");
    if (dot == std::string::npos) {
      INFO(key);
      REQUIRE(b.contains(key));
      REQUIRE(b[key].sizes() == p.value().sizes());
      continue;
    }
    const std::string other = key.substr(0, dot) + ".conv." + key.substr(dot + 8);
    REQUIRE(key.substr(0, 1) == "d");
    REQUIRE(b.contains(other));
    if (p.value().dim() == 4) REQUIRE(b[other].sizes() == p.value().transpose(0, 1).sizes());
    ++up_convs;
  }
  REQUIRE(up_convs == 10);  // weight and bias of d1..d5
}

TEST_CASE("mobile_unet: refuses sizes that are not multiples of 32", "[nets][mobile_unet]") {
  REQUIRE_THROWS_WITH(create_net(model("mobile_unet", {}, 100, 128)),
                      Catch::Contains("model.input_size") && Catch::Contains("multiples of 32") &&
                          Catch::Contains("100x128"));
  REQUIRE_THROWS_WITH(create_net(model("mobile_unet", {{"decoder", std::string("nearest")}})),
                      Catch::Contains("model.decoder") && Catch::Contains("nearest"));
}

TEST_CASE("mobile_unet: normalization option sets the input spec", "[nets][mobile_unet]") {
  const auto unit = seeded_net(model("mobile_unet"))->input_spec();
  REQUIRE(unit.normalization == "unit");
  REQUIRE(unit.color == ColorOrder::RGB);
  REQUIRE(unit.channels == 3);
  REQUIRE(unit.size_multiple == 32);
  REQUIRE(unit.logit_channels == 1);
  for (int c = 0; c < 3; ++c) {
    REQUIRE(unit.mean[c] == 0.f);
    REQUIRE(unit.scale[c] == Approx(1.0 / 255.0));
  }

  const auto ms = seeded_net(model("mobile_unet", {{"normalization", std::string("mean_std")}}))->input_spec();
  REQUIRE(ms.normalization == "mean_std");
  const double mu[3] = {0.50693673, 0.47721124, 0.44640532};
  const double sigma[3] = {0.28926975, 0.27801928, 0.28596011};
  for (int c = 0; c < 3; ++c) {
    REQUIRE(ms.mean[c] == Approx(255.0 * mu[c]));
    REQUIRE(ms.scale[c] == Approx(1.0 / (255.0 * sigma[c])));
    // (pixel - mean) * scale == (pixel / 255 - mu) / sigma, e.g. for pixel 200.
    REQUIRE((200.0 - ms.mean[c]) * ms.scale[c] == Approx((200.0 / 255.0 - mu[c]) / sigma[c]));
  }
}
