// The LibTorch ONNX executor: every config's exported graph runs like the eager net (fp32), and the ops whose
// arithmetic matters for reduced precision match hand-computed values: QuantizeLinear's round-half-to-even and
// saturation, per-axis DequantizeLinear, and linear Resize under each coordinate transformation mode.
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include "core/export/export_head.h"
#include "core/export/export_onnx.h"
#include "core/model_io/model_meta.h"
#include "core/onnx_exec/onnx_executor.h"
#include "core/onnx_exec/onnx_tensor.h"
#include "tests/core/export_test_util.h"
#include "tests/core/onnx_exec/one_node_graph.h"

using namespace pseg;
using namespace pseg::test;

namespace {

std::vector<float> values(const torch::Tensor& t) {
  const torch::Tensor f = t.to(torch::kFloat).contiguous();
  return std::vector<float>(f.data_ptr<float>(), f.data_ptr<float>() + f.numel());
}

}  // namespace

TEST_CASE("onnx executor: every config's exported graph runs like the eager net", "[onnx_exec]") {
  std::vector<std::pair<std::string, int64_t>> nets;
  for (const auto& name : six_configs()) nets.emplace_back(name, 64);
  nets.emplace_back("mobile_unet_v3", 64);
  nets.emplace_back("deeplab_v3", 65);
  for (const auto& [name, size] : nets) {
    INFO(name);
    SegNet net = seeded_net(name, size, size);
    const ModelMeta meta = meta_for(*net, ExportHead::Probability, 0.5f);
    const OnnxModel model = build_onnx_model(*net, random_input(*net), meta, {});
    const OnnxExecutor executor(model.proto);
    CHECK(executor.input_name() == "input");
    CHECK(executor.output_name() == "output");
    const torch::Tensor x = random_input(*net);
    torch::NoGradGuard no_grad;
    const torch::Tensor ref = inference_forward(*net, x, ExportHead::Probability, 0.5f);
    const torch::Tensor got = executor.run(x);
    REQUIRE(got.sizes() == ref.sizes());
    CHECK((got - ref).abs().max().item<double>() <= 1e-4);
  }
}

TEST_CASE("onnx executor: opset 11, kept BatchNorm and the mask head also match", "[onnx_exec]") {
  SegNet net = seeded_net("portrait_net", 64, 64);
  const ModelMeta meta = meta_for(*net, ExportHead::Mask, 0.5f);
  OnnxExportOptions o;
  o.opset = 11;
  o.fold_bn = false;
  const OnnxModel model = build_onnx_model(*net, random_input(*net), meta, o);
  const torch::Tensor x = random_input(*net);
  torch::NoGradGuard no_grad;
  const torch::Tensor ref = inference_forward(*net, x, ExportHead::Mask, 0.5f);
  const torch::Tensor got = OnnxExecutor(model.proto).run(x);
  CHECK(got.scalar_type() == torch::kByte);
  // A mask may flip only where the probability sits at the threshold within float rounding.
  CHECK((got.to(torch::kInt) != ref.to(torch::kInt)).sum().item<int64_t>() <= 2);
}

TEST_CASE("onnx executor: QuantizeLinear rounds half to even and saturates (hand-computed)", "[onnx_exec]") {
  OneNode q("QuantizeLinear");
  q.constant("scale", torch::tensor(0.5f));
  q.constant("zero", torch::tensor(128, torch::kByte).reshape({}));
  // x / 0.5 = -2, 0.5, 1.5, 400, -300: ties go to the even neighbour, then + 128 and clamped to 0..255.
  const torch::Tensor y = q.run(torch::tensor({-1.0f, 0.25f, 0.75f, 200.0f, -150.0f}));
  CHECK(y.scalar_type() == torch::kByte);
  CHECK(values(y) == std::vector<float>{126, 128, 130, 255, 0});

  OneNode s("QuantizeLinear");
  s.constant("scale", torch::tensor(1.0f));
  s.constant("zero", torch::tensor(0, torch::kChar).reshape({}));
  const torch::Tensor z = s.run(torch::tensor({-2.5f, -1.5f, 2.5f, 127.6f, -200.0f}));
  CHECK(z.scalar_type() == torch::kChar);
  CHECK(values(z) == std::vector<float>{-2, -2, 2, 127, -128});
}

TEST_CASE("onnx executor: per-axis DequantizeLinear scales each channel (hand-computed)", "[onnx_exec]") {
  OneNode d("DequantizeLinear");
  d.constant("scale", torch::tensor({0.5f, 2.0f}));
  d.constant("zero", torch::tensor({0, 1}, torch::kChar));
  d.attr("axis", int64_t{0});
  // Row 0: (q - 0) * 0.5; row 1: (q - 1) * 2.
  const torch::Tensor w = torch::tensor({1, -2, 3, 4}, torch::kChar).reshape({2, 2});
  CHECK(values(d.run(w)) == std::vector<float>{0.5f, -1.0f, 4.0f, 6.0f});
}

TEST_CASE("onnx executor: linear Resize follows each coordinate transformation mode (hand-computed)", "[onnx_exec]") {
  const torch::Tensor x = torch::tensor({0.0f, 1.0f}).reshape({1, 1, 1, 2});
  const std::vector<std::pair<std::string, std::vector<float>>> cases = {
      {"asymmetric", {0.0f, 0.5f, 1.0f, 1.0f}},             // src = i / 2
      {"align_corners", {0.0f, 1 / 3.f, 2 / 3.f, 1.0f}},     // src = i * (2 - 1) / (4 - 1)
      {"pytorch_half_pixel", {0.0f, 0.25f, 0.75f, 1.0f}},   // src = (i + 0.5) / 2 - 0.5, clamped to [0, 1]
      {"half_pixel", {0.0f, 0.25f, 0.75f, 1.0f}},
  };
  for (const auto& [mode, expected] : cases) {
    INFO(mode);
    OneNode r("Resize");
    r.node->add_input("");  // no roi (opset 13)
    r.constant("scales", torch::tensor({1.f, 1.f, 1.f, 2.f}));
    r.attr("mode", "linear");
    r.attr("coordinate_transformation_mode", mode);
    const auto got = values(r.run(x));
    REQUIRE(got.size() == expected.size());
    for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(expected[i]).margin(1e-6));
  }
  // Shrinking 2 -> 1 tells the half-pixel modes apart: src = (0 + 0.5) / 0.5 - 0.5 = 0.5, but pytorch_half_pixel
  // (and align_corners) take src = 0 for a single output, asymmetric src = 0 / 0.5.
  for (const auto& [mode, expected] : std::vector<std::pair<std::string, float>>{
           {"half_pixel", 0.5f}, {"pytorch_half_pixel", 0.0f}, {"align_corners", 0.0f}, {"asymmetric", 0.0f}}) {
    INFO(mode << " shrinking");
    OneNode r("Resize");
    r.node->add_input("");
    r.constant("scales", torch::tensor({1.f, 1.f, 1.f, 0.5f}));
    r.attr("mode", "linear");
    r.attr("coordinate_transformation_mode", mode);
    CHECK(values(r.run(x)) == std::vector<float>{expected});
  }
}

TEST_CASE("onnx executor: a Resize is as long as onnxruntime makes it (floor of the float product)", "[onnx_exec]") {
  // DeepLabV3 exported at 769 brings its 97 wide map back with the float scale 769 / 97: 769 in float, just under
  // in double. align_corners reads input i / 8 for output i.
  OneNode r("Resize");
  r.node->add_input("");
  r.constant("scales", torch::tensor({1.f, 1.f, 1.f, 769.f / 97.f}));
  r.attr("mode", "linear");
  r.attr("coordinate_transformation_mode", "align_corners");
  const auto got = values(r.run(torch::arange(97, torch::kFloat).reshape({1, 1, 1, 97})));
  REQUIRE(got.size() == 769);
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(i / 8.0).margin(1e-5));
}

TEST_CASE("onnx executor: malformed nodes are refused, not read out of range", "[onnx_exec]") {
  OneNode dq("DequantizeLinear");
  dq.constant("scale", torch::tensor({0.5f, 2.0f}));
  dq.attr("axis", int64_t{7});
  CHECK_THROWS_WITH(dq.run(torch::zeros({2, 2}, torch::kChar)), Catch::Contains("axis 7 is out of range"));
  OneNode conv("Conv");
  conv.constant("w", torch::ones({1, 1, 3, 3}));
  auto* pads = conv.node->add_attribute();
  pads->set_name("pads");
  pads->set_type(onnx::AttributeProto::INTS);
  pads->add_ints(1);
  CHECK_THROWS_WITH(conv.run(torch::zeros({1, 1, 4, 4})), Catch::Contains("expected 4 pads"));
  OneNode add("Add");  // one input of two
  CHECK_THROWS_WITH(OnnxExecutor(add.model), Catch::Contains("expected at least 2 inputs"));
}

TEST_CASE("onnx executor: Softmax before opset 13 normalises the flattened trailing axes", "[onnx_exec]") {
  const torch::Tensor x = torch::tensor({1.f, 2.f, 3.f, 4.f}).reshape({1, 2, 2});
  OneNode old("Softmax", 11);  // axis 1 (default): one row of all four values
  const torch::Tensor flat = old.run(x);
  CHECK(flat.sum().item<float>() == Approx(1.0f));
  OneNode now("Softmax", 13);  // axis -1 (default): each row of two
  CHECK(now.run(x).sum().item<float>() == Approx(2.0f));
}

TEST_CASE("onnx executor: float16 values are rounded back to float16 after each op", "[onnx_exec]") {
  OneNode add("Add");
  add.constant("b", torch::tensor({1.0f}).to(torch::kHalf));
  // 2048 + 1 is not a float16 (spacing 2 there): the sum rounds to even, 2048.
  const torch::Tensor y = add.run(torch::tensor({2048.0f}).to(torch::kHalf));
  CHECK(y.scalar_type() == torch::kHalf);
  CHECK(values(y) == std::vector<float>{2048.0f});
}

TEST_CASE("onnx executor: an op it cannot run is named when the graph is loaded", "[onnx_exec]") {
  OneNode n("LSTM");
  CHECK_THROWS_WITH(OnnxExecutor(n.model), Catch::Contains("LSTM") && Catch::Contains("not supported"));
}
