#include <map>
#include <regex>
#include <sstream>

#include "tests/nets/net_test_util.h"
#include "nets/slim_net.h"

using namespace pseg;
using namespace pseg::test;

namespace {

std::shared_ptr<SlimNetImpl> slim(int64_t h = 0, int64_t w = 0) {
  auto net = std::dynamic_pointer_cast<SlimNetImpl>(seeded_net(model("slim_net", {}, h, w)));
  REQUIRE(net);
  return net;
}

// Parameters whose name starts with `prefix` followed by '.'.
int64_t count_under(const torch::nn::Module& m, const std::string& prefix) {
  int64_t n = 0;
  for (const auto& p : m.named_parameters())
    if (p.key().rfind(prefix + ".", 0) == 0) n += p.value().numel();
  return n;
}

// nets.md §6.6, copied verbatim: Keras layer names by block and sub-module.
const char* const kKerasTable = R"(
| stem | s1=`conv2d`, sp=`p_re_lu`, s2=`conv2d_1` |
| b1 | pa=`p_re_lu_1`, proj=`conv2d_2`, pp=`p_re_lu_2`, sep=`separable_conv2d`, ps=`p_re_lu_3`, dw=`depthwise_conv2d`, pm=`p_re_lu_4`, out=`conv2d_3`, sc=`conv2d_4` |
| b2 | pa=`p_re_lu_5`, proj=`conv2d_5`, pp=`p_re_lu_6`, sep=`separable_conv2d_1`, ps=`p_re_lu_7`, dw=`depthwise_conv2d_1`, pm=`p_re_lu_8`, out=`conv2d_6` |
| b3 | pa=`p_re_lu_9`, proj=`conv2d_7`, pp=`p_re_lu_10`, sep=`separable_conv2d_2`, ps=`p_re_lu_11`, dw=`depthwise_conv2d_2`, pm=`p_re_lu_12`, out=`conv2d_8` |
| b4 | pa=`p_re_lu_13`, proj=`conv2d_9`, pp=`p_re_lu_14`, sep=`separable_conv2d_3`, ps=`p_re_lu_15`, dw=`depthwise_conv2d_3`, pm=`p_re_lu_16`, out=`conv2d_10`, sc=`conv2d_11` |
| b5 | pa=`p_re_lu_17`, proj=`conv2d_12`, pp=`p_re_lu_18`, sep=`separable_conv2d_4`, ps=`p_re_lu_19`, dw=`depthwise_conv2d_4`, pm=`p_re_lu_20`, out=`conv2d_13` |
| b6 | pa=`p_re_lu_21`, proj=`conv2d_14`, pp=`p_re_lu_22`, sep=`separable_conv2d_5`, ps=`p_re_lu_23`, dw=`depthwise_conv2d_5`, pm=`p_re_lu_24`, out=`conv2d_15` |
| b7 | pa=`p_re_lu_25`, proj=`conv2d_16`, pp=`p_re_lu_26`, sep=`separable_conv2d_6`, ps=`p_re_lu_27`, dw=`depthwise_conv2d_6`, pm=`p_re_lu_28`, out=`conv2d_17` |
| b8 | pa=`p_re_lu_29`, proj=`conv2d_18`, pp=`p_re_lu_30`, sep=`separable_conv2d_7`, ps=`p_re_lu_31`, dw=`depthwise_conv2d_7`, pm=`p_re_lu_32`, out=`conv2d_19` |
| b9 | pa=`p_re_lu_33`, proj=`conv2d_20`, pp=`p_re_lu_34`, sep=`separable_conv2d_8`, ps=`p_re_lu_35`, dw=`depthwise_conv2d_8`, pm=`p_re_lu_36`, out=`conv2d_21` (pool shortcut has no conv) |
| b10 (DW) | pa=`p_re_lu_37`, proj=`conv2d_22`, pp=`p_re_lu_38`, sep=`separable_conv2d_9`, ps=`p_re_lu_39`, dw=`depthwise_conv2d_9`, pm=`p_re_lu_40`, out=`conv2d_23` |
| b11 (DIL 2) | pa=`p_re_lu_41`, proj=`conv2d_24`, pp=`p_re_lu_42`, dil=`conv2d_25`, pm=`p_re_lu_43`, out=`conv2d_26` |
| b12 (S5) | pa=`p_re_lu_44`, proj=`conv2d_27`, pp=`p_re_lu_45`, sep=`separable_conv2d_10`, pm=`p_re_lu_46`, out=`conv2d_28` |
| b13 (DIL 4) | pa=`p_re_lu_47`, proj=`conv2d_29`, pp=`p_re_lu_48`, dil=`conv2d_30`, pm=`p_re_lu_49`, out=`conv2d_31` |
| b14 (DW) | pa=`p_re_lu_50`, proj=`conv2d_32`, pp=`p_re_lu_51`, sep=`separable_conv2d_11`, ps=`p_re_lu_52`, dw=`depthwise_conv2d_10`, pm=`p_re_lu_53`, out=`conv2d_33` |
| b15 (DIL 8) | pa=`p_re_lu_54`, proj=`conv2d_34`, pp=`p_re_lu_55`, dil=`conv2d_35`, pm=`p_re_lu_56`, out=`conv2d_36` |
| b16 (DW) | pa=`p_re_lu_57`, proj=`conv2d_37`, pp=`p_re_lu_58`, sep=`separable_conv2d_12`, ps=`p_re_lu_59`, dw=`depthwise_conv2d_11`, pm=`p_re_lu_60`, out=`conv2d_38` |
| b17 (DIL 2) | pa=`p_re_lu_61`, proj=`conv2d_39`, pp=`p_re_lu_62`, dil=`conv2d_40`, pm=`p_re_lu_63`, out=`conv2d_41` |
| b18 (S5) | pa=`p_re_lu_64`, proj=`conv2d_42`, pp=`p_re_lu_65`, sep=`separable_conv2d_13`, pm=`p_re_lu_66`, out=`conv2d_43` |
| b19 (DIL 4) | pa=`p_re_lu_67`, proj=`conv2d_44`, pp=`p_re_lu_68`, dil=`conv2d_45`, pm=`p_re_lu_69`, out=`conv2d_46` |
| b20 (DW) | pa=`p_re_lu_70`, proj=`conv2d_47`, pp=`p_re_lu_71`, sep=`separable_conv2d_14`, ps=`p_re_lu_72`, dw=`depthwise_conv2d_12`, pm=`p_re_lu_73`, out=`conv2d_48` |
| b21 (DIL 8) | pa=`p_re_lu_74`, proj=`conv2d_49`, pp=`p_re_lu_75`, dil=`conv2d_50`, pm=`p_re_lu_76`, out=`conv2d_51` |
| b22 (DIL 1) | pa=`p_re_lu_77`, proj=`conv2d_52`, pp=`p_re_lu_78`, dil=`conv2d_53`, pm=`p_re_lu_79`, out=`conv2d_54` |
| d1 | pa=`p_re_lu_80`, c1=`conv2d_55`, p1=`p_re_lu_81`, up=`conv2d_transpose`, p2=`p_re_lu_82`, c2=`conv2d_56`, cr=`conv2d_57`, pz=`p_re_lu_83`, b1=`conv2d_58`, pb1=`p_re_lu_84`, b2=`conv2d_59`, pb2=`p_re_lu_85`, b3=`conv2d_60`, zc=`conv2d_61` |
| d2 | pa=`p_re_lu_86`, c1=`conv2d_62`, p1=`p_re_lu_87`, up=`conv2d_transpose_1`, p2=`p_re_lu_88`, c2=`conv2d_63`, cr=`conv2d_64`, pz=`p_re_lu_89`, b1=`conv2d_65`, pb1=`p_re_lu_90`, b2=`conv2d_66`, pb2=`p_re_lu_91`, b3=`conv2d_67`, zc=`conv2d_68` |
| d3 | pa=`p_re_lu_92`, c1=`conv2d_69`, p1=`p_re_lu_93`, up=`conv2d_transpose_2`, p2=`p_re_lu_94`, c2=`conv2d_70`, cr=`conv2d_71`, pz=`p_re_lu_95`, b1=`conv2d_72`, pb1=`p_re_lu_96`, b2=`conv2d_73`, pb2=`p_re_lu_97`, b3=`conv2d_74` |
| head | hp=`p_re_lu_98`, h1=`conv2d_transpose_3`, hp2=`p_re_lu_99`, h2=`conv2d_transpose_4` |
)";

// The §6.6 table as (keras name, module path) in table order; "stem" and "head" modules sit at the top level.
std::vector<std::pair<std::string, std::string>> spec_keras_map() {
  std::vector<std::pair<std::string, std::string>> rows;
  const std::regex entry(R"((\w+)=`(\w+)`)");
  std::istringstream lines(kKerasTable);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    std::istringstream cells(line.substr(2));
    std::string block;
    cells >> block;
    const std::string prefix = (block == "stem" || block == "head") ? "" : block + ".";
    for (std::sregex_iterator it(line.begin(), line.end(), entry), end; it != end; ++it)
      rows.emplace_back((*it)[2].str(), prefix + (*it)[1].str());
  }
  return rows;
}

}  // namespace

TEST_CASE("slim_net: parameter count, spec and output shapes", "[nets][slim_net]") {
  auto net = slim();
  REQUIRE(net->parameter_count() == 347570);
  REQUIRE(net->deploy_parameter_count() == 347570);
  REQUIRE(net->buffers().empty());
  const auto& s = net->input_spec();
  REQUIRE(s.height == 512);
  REQUIRE(s.width == 512);
  REQUIRE(s.color == ColorOrder::RGB);
  REQUIRE(s.mean[0] == 0.f);
  REQUIRE(s.scale[2] == Approx(1.0 / 255.0));
  REQUIRE(s.normalization == "unit");
  REQUIRE(s.logit_channels == 2);
  REQUIRE(s.size_multiple == 32);

  net->eval();
  torch::NoGradGuard ng;
  auto out = net->forward(input_for(net));
  REQUIRE(out.mask_logits.sizes() == torch::IntArrayRef({1, 2, 512, 512}));
  REQUIRE_FALSE(out.boundary_logits.defined());

  auto other = slim(256, 320);
  REQUIRE(other->forward(input_for(other, 2)).mask_logits.sizes() == torch::IntArrayRef({2, 2, 256, 320}));
}

TEST_CASE("slim_net: per-block parameter counts (nets.md §6.4)", "[nets][slim_net]") {
  auto net = slim(64, 64);
  const std::map<std::string, int64_t> expected = {
      {"s1", 104},    {"sp", 8},      {"s2", 1056},   {"b1", 5920},   {"b2", 2816},   {"b3", 2816},
      {"b4", 22592},  {"b5", 4992},   {"b6", 4992},   {"b7", 4992},   {"b8", 4992},   {"b9", 11136},
      {"b10", 2560},  {"b11", 27152}, {"b12", 2600},  {"b13", 27152}, {"b14", 2560},  {"b15", 27152},
      {"b16", 2560},  {"b17", 27152}, {"b18", 2600},  {"b19", 27152}, {"b20", 2560},  {"b21", 27152},
      {"b22", 22024}, {"d1", 56256},  {"d2", 19904},  {"d3", 3480},   {"hp", 32},     {"h1", 1032},
      {"hp2", 8},     {"h2", 66},
  };
  int64_t total = 0;
  for (const auto& [name, n] : expected) {
    INFO("block " << name);
    REQUIRE(count_under(*net, name) == n);
    total += n;
  }
  REQUIRE(total == net->parameter_count());
  REQUIRE_FALSE(net->encoders[8]->sc);  // b9: 128-channel pool shortcut is the pooled input itself
  REQUIRE(net->encoders[0]->sc);
  REQUIRE_FALSE(net->d3->zc);
}

TEST_CASE("slim_net: parameter categories and PReLU init", "[nets][slim_net]") {
  auto net = slim(64, 64);
  int64_t conv_w = 0, conv_b = 0, dw_w = 0, dw_b = 0, deconv_w = 0, deconv_b = 0, alphas = 0, prelus = 0;
  for (const auto& item : net->named_modules("", /*include_self=*/false)) {
    const auto& m = item.value();
    INFO("module " << item.key());
    if (auto* p = m->as<torch::nn::PReLU>()) {
      ++prelus;
      alphas += p->weight.numel();
      REQUIRE(p->weight.dim() == 1);
      REQUIRE(torch::all(p->weight == 0).item<bool>());
    } else if (auto* c = m->as<torch::nn::Conv2d>()) {
      // Every conv has a bias except the depthwise half of a separable conv (Keras SeparableConv2D).
      REQUIRE(c->bias.defined() == !std::regex_search(item.key(), std::regex(R"(\.sep\.depthwise$)")));
      const bool depthwise = c->options.groups() > 1;
      (depthwise ? dw_w : conv_w) += c->weight.numel();
      if (c->bias.defined()) (depthwise ? dw_b : conv_b) += c->bias.numel();
    } else if (auto* t = m->as<torch::nn::ConvTranspose2d>()) {
      deconv_w += t->weight.numel();
      deconv_b += t->bias.numel();
    }
  }
  REQUIRE(prelus == 100);
  REQUIRE(alphas == 4752);
  REQUIRE(conv_w == 331072);
  REQUIRE(conv_b == 5136);
  REQUIRE(dw_w == 3856);
  REQUIRE(dw_b == 192);
  REQUIRE(deconv_w == 2528);
  REQUIRE(deconv_b == 34);
}

TEST_CASE("slim_net: Keras layer map covers nets.md §6.6 and every parameter once", "[nets][slim_net]") {
  auto net = slim(64, 64);
  const auto map = net->keras_layer_map();
  const auto spec = spec_keras_map();
  REQUIRE(spec.size() == 208);
  REQUIRE(map.size() == spec.size());
  for (size_t i = 0; i < spec.size(); ++i) {
    INFO("entry " << i << ": " << spec[i].first << " -> " << spec[i].second);
    CHECK(map[i].first == spec[i].first);
    CHECK(map[i].second == spec[i].second);
  }

  std::map<std::string, int> per_class;
  for (const auto& [keras, path] : map) per_class[std::regex_replace(keras, std::regex("_[0-9]+$"), "")]++;
  REQUIRE(per_class["conv2d"] == 75);
  REQUIRE(per_class["p_re_lu"] == 100);
  REQUIRE(per_class["separable_conv2d"] == 15);
  REQUIRE(per_class["depthwise_conv2d"] == 13);
  REQUIRE(per_class["conv2d_transpose"] == 5);

  std::map<std::string, int> covered;
  for (const auto& [keras, path] : map)
    for (const auto& p : net->named_parameters())
      if (p.key().rfind(path + ".", 0) == 0) covered[p.key()]++;
  const auto params = net->named_parameters();
  REQUIRE(covered.size() == params.size());
  for (const auto& [name, n] : covered) {
    INFO("parameter " << name);
    REQUIRE(n == 1);
  }
}

TEST_CASE("slim_net: TF conventions in the layers", "[nets][slim_net]") {
  auto net = slim(64, 64);
  const auto padding = [](const auto& options) { return (*c10::get<torch::ExpandingArray<2>>(options.padding()))[0]; };
  REQUIRE(net->s1->weight.sizes() == torch::IntArrayRef({8, 3, 2, 2}));
  REQUIRE((*net->s1->options.stride())[0] == 2);
  REQUIRE(padding(net->s1->options) == 0);
  REQUIRE(net->encoders[3]->proj->weight.sizes() == torch::IntArrayRef({32, 64, 2, 2}));  // b4: kernel = stride
  const auto& b15 = net->encoders[14]->dil;  // DIL 8: same padding = dilation
  REQUIRE((*b15->options.dilation())[0] == 8);
  REQUIRE(padding(b15->options) == 8);
  REQUIRE(b15->weight.sizes() == torch::IntArrayRef({128, 8, 3, 3}));
  // Decoder deconv: full k3/s2 transposed conv (padding 0), cropped in forward; always 8 filters.
  REQUIRE(net->d2->up->weight.sizes() == torch::IntArrayRef({8, 8, 3, 3}));
  REQUIRE(padding(net->d2->up->options) == 0);
  REQUIRE(net->h2->weight.sizes() == torch::IntArrayRef({8, 2, 2, 2}));
}

TEST_CASE("slim_net: gradients, determinism, no train/eval difference", "[nets][slim_net]") {
  auto m = model("slim_net", {}, 64, 64);
  check_backward_finite(seeded_net(m));
  check_seed_determinism(m);
  check_no_mode_difference(m);
}

TEST_CASE("slim_net: refuses sizes that are not multiples of 32", "[nets][slim_net]") {
  REQUIRE_THROWS_WITH(create_net(model("slim_net", {}, 500, 512)),
                      Catch::Contains("model.input_size") && Catch::Contains("multiples of 32"));
}
