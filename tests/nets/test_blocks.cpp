// Conventions that make reference weights match: TF "same" stride-2 padding, transposed-conv crop,
// legacy TF bilinear vs align_corners=True, separable conv, ReLU6 form.
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/torch.h>

#include <catch2/catch.hpp>

#include "nets/blocks.h"

using namespace pseg;

TEST_CASE("TF same stride-2 conv pads bottom/right only", "[nets][conventions]") {
  // 4x4 input 0..15, 3x3 all-ones kernel, stride 2: TF samples windows starting at rows/cols 0 and 2,
  // the second window reaching into one padded zero row/column.
  auto x = torch::arange(16, torch::kFloat).reshape({1, 1, 4, 4});
  auto w = torch::ones({1, 1, 3, 3});
  auto y = torch::conv2d(blocks::tf_same_pad_stride2(x), w, {}, 2);
  // window (0,0): rows 0-2, cols 0-2 = 0+1+2+4+5+6+8+9+10 = 45
  // window (0,2): rows 0-2, cols 2-3 (+pad) = 2+3+6+7+10+11 = 39
  // window (2,0): rows 2-3, cols 0-2 = 8+9+10+12+13+14 = 66
  // window (2,2): rows 2-3, cols 2-3 = 10+11+14+15 = 50
  auto expected = torch::tensor({45.f, 39.f, 66.f, 50.f}).reshape({1, 1, 2, 2});
  REQUIRE(torch::equal(y, expected));
  // PyTorch's symmetric padding=1 samples a different grid.
  auto sym = torch::conv2d(x, w, {}, 2, 1);
  REQUIRE_FALSE(torch::equal(sym, expected));
}

TEST_CASE("TF same transposed conv = full deconv minus last row and column", "[nets][conventions]") {
  // 2x2 input, 3x3 ones kernel, stride 2: full output is 5x5; TF keeps the top-left 4x4.
  auto x = torch::tensor({1.f, 2.f, 3.f, 4.f}).reshape({1, 1, 2, 2});
  auto w = torch::ones({1, 1, 3, 3});
  auto full = torch::conv_transpose2d(x, w, {}, 2);
  REQUIRE(full.sizes() == torch::IntArrayRef({1, 1, 5, 5}));
  auto y = blocks::tf_deconv_crop(full);
  REQUIRE(y.sizes() == torch::IntArrayRef({1, 1, 4, 4}));
  // Row 0 of the full output: x00 at cols 0-2, x01 at cols 2-4 -> [1, 1, 3, 2, 2]; crop keeps [1, 1, 3, 2].
  auto row0 = y[0][0][0];
  REQUIRE(torch::equal(row0, torch::tensor({1.f, 1.f, 3.f, 2.f})));
  // Row 2 overlaps all four inputs at col 2: 1+2+3+4.
  REQUIRE(y[0][0][2][2].item<float>() == 10.f);
}

TEST_CASE("legacy TF bilinear 2x resize", "[nets][conventions]") {
  auto x = torch::tensor({0.f, 1.f, 2.f, 3.f}).reshape({1, 1, 1, 4});
  auto y = blocks::legacy_bilinear_up2(x);
  REQUIRE(y.sizes() == torch::IntArrayRef({1, 1, 2, 8}));
  auto expected_row = torch::tensor({0.f, 0.5f, 1.f, 1.5f, 2.f, 2.5f, 3.f, 3.f});
  REQUIRE(torch::equal(y[0][0][0], expected_row));
  REQUIRE(torch::equal(y[0][0][1], expected_row));  // one input row: rows replicate

  // Matches the pad + align_corners + crop formulation on a random 2-D map.
  torch::manual_seed(0);
  auto z = torch::rand({2, 3, 5, 6});
  auto padded = torch::replication_pad2d(z, {0, 1, 0, 1});
  auto ref = torch::upsample_bilinear2d(padded, {11, 13}, true).slice(2, 0, 10).slice(3, 0, 12);
  REQUIRE(torch::allclose(blocks::legacy_bilinear_up2(z), ref, 1e-6, 1e-6));
}

TEST_CASE("align_corners=True 2x resize differs from legacy", "[nets][conventions]") {
  auto x = torch::tensor({0.f, 1.f, 2.f, 3.f}).reshape({1, 1, 1, 4});
  auto y = blocks::align_corners_up2(x);
  REQUIRE(y.sizes() == torch::IntArrayRef({1, 1, 2, 8}));
  // align_corners: out[i] = i * (4 - 1) / (8 - 1)
  for (int i = 0; i < 8; ++i) REQUIRE(y[0][0][0][i].item<float>() == Approx(i * 3.0 / 7.0).margin(1e-6));
  REQUIRE_FALSE(torch::allclose(y, blocks::legacy_bilinear_up2(x)));
}

TEST_CASE("asymmetric resize (ONNX opset-8 Upsample): source dst * h / H, edge clamped", "[nets][conventions]") {
  const auto x = torch::rand({1, 2, 5, 7});
  const int64_t H = 13, W = 16;
  const auto y = blocks::asymmetric_resize(x, H, W);
  REQUIRE(y.sizes() == torch::IntArrayRef({1, 2, H, W}));
  // Hand-evaluated rule, in double.
  const auto xd = x.to(torch::kDouble);
  double worst = 0;
  for (int64_t i = 0; i < H; ++i)
    for (int64_t j = 0; j < W; ++j) {
      const double sy = static_cast<double>(i) * 5 / H, sx = static_cast<double>(j) * 7 / W;
      const int64_t y0 = static_cast<int64_t>(sy), x0 = static_cast<int64_t>(sx);
      const int64_t y1 = std::min<int64_t>(y0 + 1, 4), x1 = std::min<int64_t>(x0 + 1, 6);
      const double fy = sy - y0, fx = sx - x0;
      const auto v = (1 - fy) * ((1 - fx) * xd.index({0, 0, y0, x0}) + fx * xd.index({0, 0, y0, x1})) +
                     fy * ((1 - fx) * xd.index({0, 0, y1, x0}) + fx * xd.index({0, 0, y1, x1}));
      worst = std::max(worst, std::abs(v.item<double>() - y.index({0, 0, i, j}).item<double>()));
    }
  CHECK(worst < 1e-5);
}

TEST_CASE("ReLU6: a clamp run eagerly, relu(x) - relu(x - 6) in a trace, the same values", "[nets][conventions]") {
  // Up to 12, x - 6 is exact (Sterbenz), so the traced form is exactly 6 above 6; at 1e8 (ulp 8), x - 6 rounds to
  // 99999992 and the traced form gives 8, within half an ulp of x.
  const auto x = torch::cat({torch::linspace(-12, 12, 241), torch::tensor({1e3f, 1e8f})});
  REQUIRE(torch::equal(blocks::relu6(x), x.clamp(0, 6)));

  auto traced = torch::jit::tracer::trace(
      {x}, [](torch::jit::Stack in) -> torch::jit::Stack { return {blocks::relu6(in[0].toTensor())}; },
      [](const torch::autograd::Variable&) { return std::string(); }, /*strict=*/true);
  int relus = 0, clamps = 0;
  for (const auto* n : traced.first->graph->nodes()) {
    relus += n->kind() == c10::aten::relu;
    clamps += n->kind() == c10::aten::hardtanh || n->kind() == c10::aten::clamp;
  }
  CHECK(relus == 2);
  CHECK(clamps == 0);
  torch::jit::Stack stack{x};
  torch::jit::GraphFunction("relu6", traced.first->graph, nullptr).run(stack);
  const auto y = stack.at(0).toTensor();
  const auto small = x.abs() <= 12;
  CHECK(torch::equal(y.masked_select(small), x.clamp(0, 6).masked_select(small)));
  CHECK(y[-2].item<float>() == 6.f);
  CHECK(y[-1].item<float>() == 8.f);
}

TEST_CASE("transposed convolution: the data-gradient path equals the module's own forward, and in training its "
          "gradients",
          "[nets][blocks]") {
  using Options = torch::nn::ConvTranspose2dOptions;
  struct Case {
    const char* name;
    Options options;
    int64_t size;
    bool channels_last;
  };
  const std::vector<Case> cases = {
      {"TF k3 s2 with bias", Options(6, 5, 3).stride(2), 7, false},
      {"PortraitNet k4 s2 p1, no bias, channels-last", Options(8, 8, 4).stride(2).padding(1).bias(false), 9, true},
      {"k2 s2", Options(4, 3, 2).stride(2), 6, true},
      {"groups, output padding, dilation",
       Options(6, 4, 3).stride(2).padding(1).output_padding(1).groups(2).dilation(2), 5, false},
      {"stride 1: the module's forward", Options(5, 2, 1), 8, false}};
  // The output and the gradients for the input, the weight and the bias that `upstream` gives through y = f(input).
  const auto gradients = [](torch::nn::ConvTranspose2d& m, const torch::Tensor& y, const torch::Tensor& input,
                            const torch::Tensor& upstream) {
    for (auto& p : m->parameters()) p.mutable_grad() = torch::Tensor();
    const auto gx = torch::autograd::grad({y}, {input}, {upstream}, /*retain_graph=*/true)[0];
    (y * upstream).sum().backward();
    std::vector<torch::Tensor> out = {y.detach(), gx};
    for (auto& p : m->parameters()) out.push_back(p.grad().clone());
    return out;
  };
  const auto check_close = [](const std::vector<torch::Tensor>& got, const std::vector<torch::Tensor>& expected,
                              double tolerance) {
    REQUIRE(got.size() == expected.size());
    for (size_t i = 0; i < got.size(); ++i) {
      INFO("output, input gradient, weight gradient, bias gradient: #" << i);
      REQUIRE(got[i].sizes() == expected[i].sizes());
      CHECK((got[i] - expected[i]).abs().max().item<double>() <=
            tolerance * (1 + expected[i].abs().max().item<double>()));
    }
  };
  // Whether the autograd graph behind y, a few steps back, holds the oneDNN path's own function.
  const auto through_transposed_conv = [](const torch::Tensor& y) {
    std::vector<std::pair<torch::autograd::Node*, int>> todo = {{y.grad_fn().get(), 0}};
    while (!todo.empty()) {
      const auto [node, depth] = todo.back();
      todo.pop_back();
      if (!node) continue;
      if (node->name().find("TransposedConv") != std::string::npos) return true;
      if (depth < 3)
        for (const auto& edge : node->next_edges()) todo.push_back({edge.function.get(), depth + 1});
    }
    return false;
  };
  torch::manual_seed(3);
  for (const auto& c : cases) {
    INFO(c.name);
    const bool strided = c.options.stride()->at(0) > 1;
    torch::nn::ConvTranspose2d m(c.options);
    auto x = torch::randn({2, c.options.in_channels(), c.size, c.size + 1});
    if (c.channels_last) {
      x = x.contiguous(at::MemoryFormat::ChannelsLast);
      m->weight.set_data(m->weight.contiguous(at::MemoryFormat::ChannelsLast));
    }
    const auto reference = m->forward(x).detach();
    {
      // Training in float32, the path training takes (oneDNN), with the gradient coming back NCHW whatever x's
      // format, as it does through the TF crop: the module's output and gradients within float rounding.
      const auto x32 = x.clone().requires_grad_();
      const auto upstream = torch::randn(reference.sizes());
      const auto expected = gradients(m, m->forward(x32), x32, upstream);
      const auto y = blocks::conv_transpose(*m, x32);
      CHECK(through_transposed_conv(y) == strided);
      check_close(gradients(m, y, x32, upstream), expected, 1e-5);
    }
    {
      // Training in float64 (ATen's reference kernels on the same route): equal within float64 rounding, which
      // tells a wrong index or transposition from rounding.
      m->to(torch::kDouble);
      const auto x64 = x.to(torch::kDouble).requires_grad_();
      const auto upstream = torch::randn_like(reference, torch::kDouble);
      const auto expected = gradients(m, m->forward(x64), x64, upstream);
      const auto y = blocks::conv_transpose(*m, x64);
      CHECK(through_transposed_conv(y) == strided);
      check_close(gradients(m, y, x64, upstream), expected, 1e-12);
      m->to(torch::kFloat);
      if (c.channels_last) m->weight.set_data(m->weight.contiguous(at::MemoryFormat::ChannelsLast));
    }
    torch::NoGradGuard no_grad;
    const auto y = blocks::conv_transpose(*m, x);
    REQUIRE(y.sizes() == reference.sizes());
    CHECK((y - reference).abs().max().item<float>() <= 1e-5f * (1 + reference.abs().max().item<float>()));
    // Under a TracedFormGuard, the module's own forward again.
    blocks::TracedFormGuard traced_form;
    CHECK(torch::equal(blocks::conv_transpose(*m, x), reference));
  }
}

TEST_CASE("legacy bilinear 2x then 3x3 conv: the taps at low resolution equal the two steps", "[nets][conventions]") {
  torch::manual_seed(3);
  auto conv = torch::nn::Conv2d(blocks::conv_options(5, 7, 3, 1, 1));
  blocks::LegacyUp2ConvKernel kernel;
  const auto two_steps = [&](const torch::Tensor& x) { return conv->forward(blocks::legacy_bilinear_up2(x)); };
  const auto check_close = [](const torch::Tensor& y, const torch::Tensor& ref, double tolerance) {
    REQUIRE(y.sizes() == ref.sizes());
    const double err = (y.to(torch::kDouble) - ref.to(torch::kDouble)).abs().max().item<double>();
    CHECK(err <= tolerance * (1 + ref.abs().max().item<double>()));
  };
  const std::vector<std::vector<int64_t>> sizes{{1, 5, 8, 8}, {2, 5, 17, 23}, {1, 5, 32, 9}};
  SECTION("inference, float32, against the two steps in float64") {
    for (const auto& size : sizes) {
      const auto x = torch::randn(size);
      torch::NoGradGuard no_grad;
      conv->to(torch::kDouble);
      const auto ref = two_steps(x.to(torch::kDouble));
      conv->to(torch::kFloat);
      check_close(blocks::legacy_bilinear_up2_conv3x3(*conv, x, kernel), ref, 1e-5);
      check_close(blocks::legacy_bilinear_up2_conv3x3(*conv, x.contiguous(torch::MemoryFormat::ChannelsLast), kernel),
                  ref, 1e-5);
    }
    // A weight changed in place (a BatchNorm folded into it) gets new taps.
    torch::NoGradGuard no_grad;
    const auto x = torch::randn({1, 5, 16, 18});
    conv->weight.mul_(-2);
    conv->bias.add_(1);
    conv->to(torch::kDouble);
    const auto ref = two_steps(x.to(torch::kDouble));
    conv->to(torch::kFloat);
    check_close(blocks::legacy_bilinear_up2_conv3x3(*conv, x, kernel), ref, 1e-5);
    // Below 8 x 8, and under a TracedFormGuard, the two steps themselves.
    const auto small = torch::randn({1, 5, 7, 16});
    CHECK(torch::equal(blocks::legacy_bilinear_up2_conv3x3(*conv, small, kernel), two_steps(small)));
    blocks::TracedFormGuard traced_form;
    CHECK(torch::equal(blocks::legacy_bilinear_up2_conv3x3(*conv, x, kernel), two_steps(x)));
  }
  SECTION("training, float64: the same values and gradients for the input, weight and bias") {
    conv->to(torch::kDouble);
    for (const auto& size : sizes) {
      const auto x = torch::randn(size, torch::kDouble);
      const auto upstream = torch::randn({size[0], 7, 2 * size[2], 2 * size[3]}, torch::kDouble);
      std::vector<torch::Tensor> grads[2];
      for (int path = 0; path < 2; ++path) {
        const auto input = x.clone().requires_grad_(true);
        conv->zero_grad();
        const auto y = path == 0 ? two_steps(input) : blocks::legacy_bilinear_up2_conv3x3(*conv, input, kernel);
        (y * upstream).sum().backward();
        grads[path] = {y.detach(), input.grad(), conv->weight.grad().clone(), conv->bias.grad().clone()};
      }
      for (size_t i = 0; i < grads[0].size(); ++i) check_close(grads[1][i], grads[0][i], 1e-12);
    }
  }
}

TEST_CASE("1x1 conv after a replicated map: the 1x1 map's share added equals the concatenation",
          "[nets][conventions]") {
  torch::manual_seed(5);
  // The oracle: the pooled map expanded over the image (not the resize the traced form runs), concatenated first.
  const auto concatenated = [](torch::nn::Conv2dImpl& conv, const torch::Tensor& pooled, const torch::Tensor& x) {
    return conv.forward(torch::cat({pooled.expand({-1, -1, x.size(2), x.size(3)}), x}, 1));
  };
  for (const bool bias : {false, true}) {
    auto conv = torch::nn::Conv2d(blocks::conv_options(3 + 5, 4, 1, 1, 0, bias));
    conv->to(torch::kDouble);
    const auto x = torch::randn({2, 5, 7, 9}, torch::kDouble);
    const auto pooled = torch::randn({2, 3, 1, 1}, torch::kDouble);
    const auto upstream = torch::randn({2, 4, 7, 9}, torch::kDouble);
    std::vector<torch::Tensor> grads[2];
    for (int path = 0; path < 2; ++path) {
      const auto xi = x.clone().requires_grad_(true), pi = pooled.clone().requires_grad_(true);
      conv->zero_grad();
      const auto y = path == 0 ? concatenated(*conv, pi, xi) : blocks::conv1x1_after_replicated(*conv, pi, xi);
      (y * upstream).sum().backward();
      grads[path] = {y.detach(), xi.grad(), pi.grad(), conv->weight.grad().clone()};
      if (bias) grads[path].push_back(conv->bias.grad().clone());
    }
    for (size_t i = 0; i < grads[0].size(); ++i) {
      REQUIRE(grads[1][i].sizes() == grads[0][i].sizes());
      const double scale = 1 + grads[0][i].abs().max().item<double>();
      CHECK((grads[1][i] - grads[0][i]).abs().max().item<double>() <= 1e-12 * scale);
    }
    // float32, channels-last, without autograd: within float rounding; under a TracedFormGuard, the concatenation.
    conv->to(torch::kFloat);
    torch::NoGradGuard no_grad;
    const auto xf = x.to(torch::kFloat).contiguous(torch::MemoryFormat::ChannelsLast), pf = pooled.to(torch::kFloat);
    const auto reference = concatenated(*conv, pf, xf);
    CHECK((blocks::conv1x1_after_replicated(*conv, pf, xf) - reference).abs().max().item<float>() <=
          1e-5f * (1 + reference.abs().max().item<float>()));
    blocks::TracedFormGuard traced_form;
    CHECK(torch::equal(blocks::conv1x1_after_replicated(*conv, pf, xf), reference));
  }
  auto conv3x3 = torch::nn::Conv2d(blocks::conv_options(8, 4, 3, 1, 1));
  CHECK_THROWS_WITH(blocks::conv1x1_after_replicated(*conv3x3, torch::zeros({1, 3, 1, 1}), torch::zeros({1, 5, 4, 4})),
                    Catch::Contains("needs a 1x1 convolution"));
  auto strided = torch::nn::Conv2d(blocks::conv_options(8, 4, 1, 2));
  CHECK_THROWS_WITH(blocks::conv1x1_after_replicated(*strided, torch::zeros({1, 3, 1, 1}), torch::zeros({1, 5, 4, 4})),
                    Catch::Contains("needs a 1x1 convolution"));
}

TEST_CASE("ReLU6 of a temporary: in place without autograd, a new tensor with it", "[nets][conventions]") {
  const auto x = torch::linspace(-12, 12, 97);
  {
    torch::NoGradGuard no_grad;
    auto t = x.clone();
    const auto y = blocks::relu6_(t);
    CHECK(y.data_ptr() == t.data_ptr());
    CHECK(torch::equal(y, x.clamp(0, 6)));
  }
  auto t = x.clone().requires_grad_(true);
  const auto y = blocks::relu6_(t * 1);
  CHECK(torch::equal(y, x.clamp(0, 6)));
  y.sum().backward();
  CHECK(torch::equal(t.grad(), ((x > 0) & (x < 6)).to(torch::kFloat)));
}

TEST_CASE("separable conv: depthwise without bias, pointwise with bias", "[nets][blocks]") {
  blocks::SeparableConv2d sep(8, 16, 3);
  REQUIRE_FALSE(sep->depthwise->bias.defined());
  REQUIRE(sep->pointwise->bias.defined());
  int64_t n = 0;
  for (const auto& p : sep->parameters()) n += p.numel();
  REQUIRE(n == 9 * 8 + 8 * 16 + 16);
  REQUIRE(sep->forward(torch::rand({1, 8, 10, 12})).sizes() == torch::IntArrayRef({1, 16, 10, 12}));
}

TEST_CASE("truncated he_normal stays within two standard deviations", "[nets][init]") {
  auto w = torch::empty({64, 32, 3, 3});
  torch::manual_seed(0);
  blocks::he_normal_truncated_(w);
  const double sigma = std::sqrt(2.0 / (32 * 9));
  REQUIRE(w.abs().max().item<double>() <= 2 * sigma + 1e-7);
  REQUIRE(w.std().item<double>() == Approx(sigma * 0.88).epsilon(0.05));
}
