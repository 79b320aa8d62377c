// The oneDNN engine's graph compiler: every config's exported graph runs like the eager net; the rewrites fold what
// they should (ReLU6, Pad, crop Slice, epilogues); single ops match hand-computed values or the LibTorch executor
// (itself checked against hand-computed values in test_onnx_executor.cpp); unsupported graphs are refused by name.
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include "core/common/runtime.h"
#include "core/export/export_head.h"
#include "core/export/export_onnx.h"
#include "core/model_io/model_meta.h"
#include "core/onnx_exec/fused_graph.h"
#include "core/onnx_exec/onednn_net.h"
#include "core/onnx_exec/onnx_executor.h"
#include "core/onnx_exec/onnx_file.h"
#include "tests/core/export_test_util.h"
#include "tests/core/onnx_exec/one_node_graph.h"

using namespace pseg;
using namespace pseg::test;

namespace {

torch::Tensor run_onednn(const onnx::ModelProto& model, const torch::Tensor& x) {
  OnednnNet net(model);
  const torch::Tensor in = x.to(torch::kFloat).contiguous();
  REQUIRE(net.input_dims() == in.sizes().vec());
  torch::Tensor out = torch::empty(net.output_dims());
  net.run(in.data_ptr<float>(), out.data_ptr<float>());
  return out;
}

double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
  REQUIRE(a.sizes() == b.sizes());
  return (a - b).abs().max().item<double>();
}

onnx::ModelProto exported(const std::string& name, int64_t size, ExportHead head) {
  SegNet net = seeded_net(name, size, size);
  return build_onnx_model(*net, random_input(*net), meta_for(*net, head, 0.5f), {}).proto;
}

std::vector<std::pair<std::string, int64_t>> every_config() {
  std::vector<std::pair<std::string, int64_t>> nets;
  for (const auto& name : six_configs()) nets.emplace_back(name, 64);
  nets.emplace_back("mobile_unet_v3", 64);
  nets.emplace_back("deeplab_v3", 65);
  return nets;
}

size_t count_op(const FusedGraph& g, const std::string& op) {
  return static_cast<size_t>(std::count_if(g.nodes.begin(), g.nodes.end(), [&](const auto& n) { return n.op() == op; }));
}

// x -> GlobalAveragePool -> 1x1 Conv -> Resize to x's size, concatenated (first or second) with a 1x1 Conv of x,
// then a 1x1 Conv (with or without bias) and Relu: DeepLabV3's head in small.
onnx::ModelProto replicated_head_graph(int64_t batch, bool first_replicated, bool bias) {
  onnx::ModelProto model;
  model.set_ir_version(7);
  model.add_opset_import()->set_version(13);
  auto* g = model.mutable_graph();
  auto* input = g->add_input();
  input->set_name("x");
  auto* type = input->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {batch, int64_t{6}, int64_t{9}, int64_t{10}}) type->mutable_shape()->add_dim()->set_dim_value(d);
  g->add_output()->set_name("y");
  const auto constant = [&](const std::string& name, const torch::Tensor& t) {
    auto* init = g->add_initializer();
    init->set_name(name);
    tensor_to_proto(t, *init);
  };
  const auto node = [&](const std::string& op, const std::vector<std::string>& inputs, const std::string& output) {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(op + "_" + output);
    for (const auto& in : inputs) n->add_input(in);
    n->add_output(output);
    return n;
  };
  constant("w_pool", torch::randn({5, 6, 1, 1}));
  constant("b_pool", torch::randn({5}));
  constant("w_branch", torch::randn({7, 6, 1, 1}));
  constant("w_head", torch::randn({4, 12, 1, 1}));
  constant("b_head", torch::randn({4}));
  constant("scales", torch::tensor({1.f, 1.f, 9.f, 10.f}));
  node("GlobalAveragePool", {"x"}, "pooled");
  node("Conv", {"pooled", "w_pool", "b_pool"}, "pool_conv");
  auto* mode = node("Resize", {"pool_conv", "", "scales"}, "replicated")->add_attribute();
  mode->set_name("mode");
  mode->set_type(onnx::AttributeProto::STRING);
  mode->set_s("linear");
  node("Conv", {"x", "w_branch"}, "branch");
  const std::vector<std::string> joined = first_replicated ? std::vector<std::string>{"replicated", "branch"}
                                                           : std::vector<std::string>{"branch", "replicated"};
  auto* axis = node("Concat", joined, "joined")->add_attribute();
  axis->set_name("axis");
  axis->set_type(onnx::AttributeProto::INT);
  axis->set_i(1);
  std::vector<std::string> head = {"joined", "w_head"};
  if (bias) head.push_back("b_head");
  node("Conv", head, "head");
  node("Relu", {"head"}, "y");
  return model;
}

}  // namespace

TEST_CASE("onednn: every config's exported graph runs like the eager net", "[onnx_exec][onednn]") {
  for (const auto& [name, size] : every_config()) {
    INFO(name);
    SegNet net = seeded_net(name, size, size);
    const torch::Tensor x = random_input(*net);
    torch::NoGradGuard no_grad;
    for (const ExportHead head : {ExportHead::Probability, ExportHead::Logits}) {
      const onnx::ModelProto model = build_onnx_model(*net, random_input(*net), meta_for(*net, head, 0.5f), {}).proto;
      const torch::Tensor ref = inference_forward(*net, x, head, 0.5f);
      const torch::Tensor got = run_onednn(model, x);
      // Probabilities within 1e-4; logits within 1e-4 of their own scale (summation order differs).
      CHECK(max_diff(got, ref) <= 1e-4 * std::max(1.0, ref.abs().max().item<double>()));
    }
  }
}

TEST_CASE("onednn: the rewrites fold ReLU6, Pad, crop Slice and the epilogues into the convolutions", "[onnx_exec][onednn]") {
  const onnx::ModelProto deconv = exported("mobile_unet_deconv", 64, ExportHead::Probability);
  size_t original_sub = 0;
  for (const auto& n : deconv.graph().node()) original_sub += n.op_type() == "Sub";
  REQUIRE(original_sub > 0);  // ReLU6 is exported as Relu(x) - Relu(x - 6)
  const FusedGraph g = fuse_onnx_graph(deconv);
  for (const char* op : {"Sub", "Relu", "Pad", "Slice", "Sigmoid", "Clip"}) {
    INFO(op);
    CHECK(count_op(g, op) == 0);
  }
  size_t clips = 0;
  for (const auto& n : g.nodes)
    for (const auto& e : n.epilogue)
      if (e.kind == Epilogue::Kind::Clip) {
        ++clips;
        CHECK(e.lo == 0.f);
        CHECK(e.hi == 6.f);
      }
  CHECK(clips > 10);
  CHECK(g.nodes.size() < static_cast<size_t>(deconv.graph().node_size()) / 3);

  // Slim-Net: PReLU after nearly every convolution, residual Adds; a few stay apart (after a MaxPool or a Resize).
  const onnx::ModelProto slim_model = exported("slim_net", 64, ExportHead::Probability);
  size_t prelus = 0, adds = 0;
  for (const auto& n : slim_model.graph().node()) prelus += n.op_type() == "PRelu", adds += n.op_type() == "Add";
  const FusedGraph slim = fuse_onnx_graph(slim_model);
  CHECK(count_op(slim, "PRelu") * 10 < prelus);
  CHECK(count_op(slim, "Add") * 5 < adds);
}

TEST_CASE("onednn: a 1x1 Conv over a replicated 1x1 map and a value adds the map's own 1x1 Conv (LibTorch executor)",
          "[onnx_exec][onednn]") {
  torch::manual_seed(8);
  for (const bool first : {true, false})
    for (const bool bias : {true, false}) {
      INFO("replicated map first " << first << ", bias " << bias);
      const onnx::ModelProto model = replicated_head_graph(1, first, bias);
      const FusedGraph g = fuse_onnx_graph(model);
      CHECK(count_op(g, "Concat") == 0);
      CHECK(count_op(g, "Resize") == 0);
      CHECK(count_op(g, "Conv") == 4);
      REQUIRE_FALSE(g.nodes.back().epilogue.empty());
      CHECK(g.nodes.back().epilogue.front().kind == Epilogue::Kind::Add);
      const torch::Tensor x = torch::randn({1, 6, 9, 10});
      torch::NoGradGuard no_grad;
      const torch::Tensor expected = OnnxExecutor(model).run(x);
      CHECK(max_diff(run_onednn(model, x), expected) < 1e-5 * (1 + expected.abs().max().item<double>()));
    }
  // Two images: the per-image sums cannot broadcast per channel; the Concat stays and the values are the same.
  const onnx::ModelProto two = replicated_head_graph(2, true, true);
  CHECK(count_op(fuse_onnx_graph(two), "Concat") == 1);
  const torch::Tensor x = torch::randn({2, 6, 9, 10});
  torch::NoGradGuard no_grad;
  const torch::Tensor expected = OnnxExecutor(two).run(x);
  CHECK(max_diff(run_onednn(two, x), expected) < 1e-5 * (1 + expected.abs().max().item<double>()));
  // A Resize under a coordinate mode the engine does not know is not taken for a replication: refused by name.
  onnx::ModelProto cropped = replicated_head_graph(1, true, true);
  for (auto& n : *cropped.mutable_graph()->mutable_node())
    if (n.op_type() == "Resize") {
      auto* mode = n.add_attribute();
      mode->set_name("coordinate_transformation_mode");
      mode->set_type(onnx::AttributeProto::STRING);
      mode->set_s("tf_crop_and_resize");
    }
  CHECK(count_op(fuse_onnx_graph(cropped), "Concat") == 1);
  CHECK_THROWS_WITH(OnednnNet(cropped), Catch::Contains("tf_crop_and_resize"));
  // A head weight that is not floats is refused by name, not split.
  onnx::ModelProto ints = replicated_head_graph(1, true, true);
  for (auto& init : *ints.mutable_graph()->mutable_initializer())
    if (init.name() == "w_head") tensor_to_proto(torch::ones({4, 12, 1, 1}, torch::kLong), init);
  CHECK_THROWS_WITH(OnednnNet(ints), Catch::Contains("w_head is not a float tensor"));
  // DeepLabV3's exported head: no Concat, and the final Resize only.
  const FusedGraph deeplab = fuse_onnx_graph(exported("deeplab_v3", 65, ExportHead::Probability));
  CHECK(count_op(deeplab, "Concat") == 0);
  CHECK(count_op(deeplab, "Resize") == 1);
}

TEST_CASE("onednn: a strided ConvTranspose matches hand-computed values", "[onnx_exec][onednn]") {
  // Input [1, 2], kernel [1, 10, 100], stride 2: output[o] = sum of input[i] * kernel[k] with 2 i + k == o.
  OneNode t("ConvTranspose");
  t.input_shape({1, 1, 1, 2});
  t.constant("w", torch::tensor({1.f, 10.f, 100.f}).reshape({1, 1, 1, 3}));
  t.attr("strides", std::vector<int64_t>{1, 2});
  const auto y = run_onednn(t.model, torch::tensor({1.f, 2.f}).reshape({1, 1, 1, 2}));
  CHECK(y.sizes() == std::vector<int64_t>{1, 1, 1, 5});
  CHECK(max_diff(y.flatten(), torch::tensor({1.f, 10.f, 102.f, 20.f, 200.f})) == 0);
}

// ONNX ConvTranspose from LibTorch's: the full transposed convolution, `output_padding` rows and columns added at the
// end (reached by no input), then `pads` cut off each side, then the bias.
torch::Tensor conv_transpose_oracle(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b,
                                    const std::vector<int64_t>& strides, const std::vector<int64_t>& pads,
                                    const std::vector<int64_t>& output_padding, const std::vector<int64_t>& dilations) {
  namespace F = torch::nn::functional;
  torch::Tensor full = torch::conv_transpose2d(x, w, {}, strides, 0, 0, 1, dilations);
  full = F::pad(full, F::PadFuncOptions({0, output_padding[1], 0, output_padding[0]}));
  full = full.slice(2, pads[0], full.size(2) - pads[2]).slice(3, pads[1], full.size(3) - pads[3]);
  return full + b.reshape({1, -1, 1, 1});
}

TEST_CASE("onednn: ConvTranspose strides, pads, output padding and dilation match LibTorch (hand-built oracle)", "[onnx_exec][onednn]") {
  struct Case {
    std::vector<int64_t> strides, pads, output_padding, dilations;
  };
  const std::vector<Case> cases = {{{2, 2}, {0, 0, 0, 0}, {0, 0}, {1, 1}},
                                   {{2, 2}, {1, 1, 1, 1}, {1, 1}, {1, 1}},
                                   {{2, 1}, {1, 0, 0, 1}, {1, 0}, {1, 1}},
                                   {{1, 1}, {0, 0, 0, 0}, {0, 0}, {2, 2}},
                                   {{4, 4}, {1, 1, 1, 1}, {0, 0}, {1, 1}}};
  torch::manual_seed(3);
  // 3 output channels take the matrix product and its gathering pass; 8 and 16 with few inputs are summed straight
  // from the input (direct_output_row), with input channels in fours and a remainder (5, 7) or none (16). 23 columns:
  // the rows' middles are summed in groups of 4 or 8 outputs of one phase (direct_pixels), their ends one by one.
  const std::vector<std::pair<int64_t, int64_t>> channels = {{5, 3}, {5, 8}, {7, 16}, {16, 16}, {16, 8}};
  for (const auto& [in_c, out_c] : channels) {
    const torch::Tensor x = torch::randn({2, in_c, 6, 23});  // batch 2: the second image's rows start further on
    for (const auto& c : cases) {
      INFO(in_c << " to " << out_c << " channels, stride " << c.strides[0] << " pad " << c.pads[0]
                << " output padding " << c.output_padding[0] << " dilation " << c.dilations[0]);
      OneNode t("ConvTranspose");
      t.input_shape({2, in_c, 6, 23});
      const torch::Tensor w = torch::randn({in_c, out_c, 3, 4}), b = torch::randn({out_c});
      t.constant("w", w);
      t.constant("b", b);
      t.attr("strides", c.strides);
      t.attr("pads", c.pads);
      t.attr("output_padding", c.output_padding);
      t.attr("dilations", c.dilations);
      CHECK(max_diff(run_onednn(t.model, x), conv_transpose_oracle(x, w, b, c.strides, c.pads, c.output_padding,
                                                                     c.dilations)) < 1e-4);
    }
  }
}

TEST_CASE("onednn: linear Resize follows each coordinate transformation mode (hand-computed)", "[onnx_exec][onednn]") {
  const std::vector<std::pair<std::string, std::vector<float>>> cases = {
      {"asymmetric", {0.0f, 0.5f, 1.0f, 1.0f}},
      {"align_corners", {0.0f, 1 / 3.f, 2 / 3.f, 1.0f}},
      {"pytorch_half_pixel", {0.0f, 0.25f, 0.75f, 1.0f}},
      {"half_pixel", {0.0f, 0.25f, 0.75f, 1.0f}},
  };
  for (const auto& [mode, expected] : cases) {
    INFO(mode);
    OneNode r("Resize");
    r.input_shape({1, 1, 1, 2});
    r.node->add_input("");
    r.constant("scales", torch::tensor({1.f, 1.f, 1.f, 2.f}));
    r.attr("mode", "linear");
    r.attr("coordinate_transformation_mode", mode);
    const torch::Tensor y = run_onednn(r.model, torch::tensor({0.0f, 1.0f}).reshape({1, 1, 1, 2})).flatten();
    REQUIRE(y.numel() == 4);
    for (int64_t i = 0; i < 4; ++i) CHECK(y[i].item<float>() == Approx(expected[static_cast<size_t>(i)]).margin(1e-6));
  }
}

TEST_CASE("onednn: a Resize is as long as onnxruntime makes it (floor of the float product)", "[onnx_exec][onednn]") {
  // DeepLabV3 exported at 769 (1025) brings its 97 (129) wide map back with the float scale 769 / 97 (1025 / 129):
  // the product is 769 (1025) in float and just under it in double. align_corners reads input i / 8 for output i.
  for (const auto& [in, out] : std::vector<std::pair<int64_t, int64_t>>{{97, 769}, {129, 1025}, {65, 513}}) {
    INFO(in << " -> " << out);
    const float scale = static_cast<float>(out) / static_cast<float>(in);
    CHECK(resize_output_size(in, scale) == out);
    OneNode r("Resize");
    r.input_shape({1, 1, 1, in});
    r.node->add_input("");
    r.constant("scales", torch::tensor({1.f, 1.f, 1.f, scale}));
    r.attr("mode", "linear");
    r.attr("coordinate_transformation_mode", "align_corners");
    const torch::Tensor y = run_onednn(r.model, torch::arange(in, torch::kFloat).reshape({1, 1, 1, in})).flatten();
    REQUIRE(y.numel() == out);
    CHECK(max_diff(y, torch::arange(out, torch::kFloat) / 8) < 1e-5);
  }
}

TEST_CASE("onednn: Pad, Slice, pooling, Softmax, PRelu and broadcast Add match LibTorch", "[onnx_exec][onednn]") {
  torch::manual_seed(4);
  const torch::Tensor x = torch::randn({1, 6, 9, 10});
  std::vector<std::pair<std::string, OneNode>> graphs;
  {
    OneNode p("Pad");
    p.constant("pads", torch::tensor({0, 0, 1, 2, 0, 0, 3, 0}, torch::kLong));
    p.constant("value", torch::tensor(0.5f));
    graphs.emplace_back("Pad", std::move(p));
  }
  {
    OneNode s("Slice");
    s.constant("starts", torch::tensor({1, 2}, torch::kLong));
    s.constant("ends", torch::tensor({-1, 100}, torch::kLong));
    s.constant("axes", torch::tensor({2, 1}, torch::kLong));
    graphs.emplace_back("Slice", std::move(s));
  }
  {
    OneNode m("MaxPool");
    m.attr("kernel_shape", std::vector<int64_t>{3, 3});
    m.attr("strides", std::vector<int64_t>{2, 2});
    m.attr("pads", std::vector<int64_t>{1, 1, 1, 1});
    graphs.emplace_back("MaxPool", std::move(m));
  }
  {
    // ceil_mode: 9 + 2 - 2 = 9 rows give 6 windows by ceiling, the last starting in the bottom padding is dropped.
    OneNode m("MaxPool");
    m.attr("kernel_shape", std::vector<int64_t>{2, 2});
    m.attr("strides", std::vector<int64_t>{2, 2});
    m.attr("pads", std::vector<int64_t>{1, 1, 1, 1});
    m.attr("ceil_mode", int64_t{1});
    graphs.emplace_back("MaxPool ceil_mode", std::move(m));
  }
  graphs.emplace_back("GlobalAveragePool", OneNode("GlobalAveragePool"));
  {
    OneNode s("Softmax");
    s.attr("axis", int64_t{1});
    graphs.emplace_back("Softmax", std::move(s));
  }
  {
    OneNode p("PRelu");
    p.constant("slope", torch::linspace(-0.5, 0.5, 6).reshape({6, 1, 1}));
    graphs.emplace_back("PRelu", std::move(p));
  }
  {
    OneNode a("Add");
    a.constant("b", torch::randn({6, 1, 1}));
    graphs.emplace_back("Add", std::move(a));
  }
  for (auto& [name, g] : graphs) {
    INFO(name);
    g.input_shape({1, 6, 9, 10});
    CHECK(max_diff(run_onednn(g.model, x), g.run(x)) < 1e-5);
  }
}

TEST_CASE("onednn: a graph with every op and rewrite runs like the LibTorch executor", "[onnx_exec][onednn]") {
  // The fuzz seed (tests/fuzz/make_onednn_seed.py): ReLU6 pattern, Pad + Conv, depthwise Conv + PRelu, residual Add,
  // MaxPool, ConvTranspose + crop Slices, Concat, align_corners Resize, Softmax, GlobalAveragePool, broadcast Mul,
  // and the replicated-map head (its Concat and Resize rewritten away).
  const onnx::ModelProto model = read_onnx_model(source_path("tests/fuzz/corpus/onednn_graph/ops.onnx"));
  const FusedGraph g = fuse_onnx_graph(model);
  for (const char* op : {"Pad", "Slice", "Sub", "PRelu", "Add"}) {
    INFO(op);
    CHECK(count_op(g, op) == 0);
  }
  CHECK(count_op(g, "Concat") == 1);
  CHECK(count_op(g, "Resize") == 1);
  torch::manual_seed(6);
  const torch::Tensor x = torch::randn({1, 3, 16, 16});
  torch::NoGradGuard no_grad;
  CHECK(max_diff(run_onednn(model, x), OnnxExecutor(model).run(x)) < 1e-5);
}

TEST_CASE("onednn: hostile attributes and sizes are refused, not computed", "[onnx_exec][onednn]") {
  OneNode conv("Conv");
  conv.input_shape({1, 1, 4, 4});
  conv.constant("w", torch::ones({1, 1, 3, 3}));
  conv.attr("strides", std::vector<int64_t>{0, 1});
  CHECK_THROWS_WITH(OnednnNet(conv.model), Catch::Contains("strides must be two values"));
  OneNode one_stride("Conv");
  one_stride.input_shape({1, 1, 4, 4});
  one_stride.constant("w", torch::ones({1, 1, 3, 3}));
  one_stride.attr("strides", std::vector<int64_t>{2});
  CHECK_THROWS_WITH(OnednnNet(one_stride.model), Catch::Contains("strides must be two values"));
  OneNode huge("Relu");
  huge.input_shape({1, 64, 65536, 65536});
  CHECK_THROWS_WITH(OnednnNet(huge.model), Catch::Contains("exceeds 2^30 values"));
  OneNode slope("PRelu");  // a [C] slope broadcasts over W in ONNX, not over channels
  slope.input_shape({1, 4, 4, 4});
  slope.constant("slope", torch::ones({4}));
  CHECK_THROWS_WITH(OnednnNet(slope.model), Catch::Contains("per channel or one value"));
  OneNode old_softmax("Softmax", 11);  // normalises over C, H and W together
  old_softmax.input_shape({1, 2, 4, 4});
  old_softmax.attr("axis", int64_t{1});
  CHECK_THROWS_WITH(OnednnNet(old_softmax.model), Catch::Contains("before opset 13"));
  OneNode of_constant("Relu");
  of_constant.input_shape({1, 1, 2, 2});
  of_constant.constant("c", torch::ones({3}));
  of_constant.node->set_input(0, "c");
  CHECK_THROWS_WITH(OnednnNet(of_constant.model), Catch::Contains("not a computed value"));
  OneNode pad("Pad");
  pad.input_shape({1, 1, 4, 4});
  pad.constant("pads", torch::tensor({0, 0, 100000, 100000, 0, 0, 100000, 100000}, torch::kLong));
  CHECK_THROWS_WITH(OnednnNet(pad.model), Catch::Contains("its output exceeds 2^30 values"));
}

TEST_CASE("onednn: Softmax over many channels (oneDNN's kernel) matches LibTorch", "[onnx_exec][onednn]") {
  OneNode s("Softmax");
  s.input_shape({1, 12, 5, 7});
  s.attr("axis", int64_t{1});
  torch::manual_seed(7);
  const torch::Tensor x = torch::randn({1, 12, 5, 7}) * 4;
  CHECK(max_diff(run_onednn(s.model, x), s.run(x)) < 1e-6);
}

TEST_CASE("onednn: unsupported graphs are refused by name", "[onnx_exec][onednn]") {
  OneNode lstm("LSTM");
  lstm.input_shape({1, 1, 2, 2});
  CHECK_THROWS_WITH(OnednnNet(lstm.model), Catch::Contains("LSTM") && Catch::Contains("not supported"));
  OneNode dynamic("Relu");  // no fixed input dimensions
  CHECK_THROWS_WITH(OnednnNet(dynamic.model), Catch::Contains("dynamic dimensions"));
  OneNode nearest("Resize");
  nearest.input_shape({1, 1, 2, 2});
  nearest.node->add_input("");
  nearest.constant("scales", torch::tensor({1.f, 1.f, 2.f, 2.f}));
  CHECK_THROWS_WITH(OnednnNet(nearest.model), Catch::Contains("Resize") && Catch::Contains("linear"));
}

TEST_CASE("onednn: a net runs the same after its worker threads are released", "[onnx_exec][onednn]") {
  // The video pipeline ends the OpenMP workers after every frame; the next run starts new ones.
  SegNet net = seeded_net("portrait_net", 64, 64);
  const onnx::ModelProto model = exported("portrait_net", 64, ExportHead::Probability);
  OnednnNet compiled(model);
  const torch::Tensor x = random_input(*net).contiguous();
  torch::Tensor first = torch::empty(compiled.output_dims()), again = torch::empty(compiled.output_dims());
  compiled.run(x.data_ptr<float>(), first.data_ptr<float>());
  for (int i = 0; i < 3; ++i) {
    release_parallel_workers();
    compiled.run(x.data_ptr<float>(), again.data_ptr<float>());
    CHECK(torch::equal(first, again));
  }
}

TEST_CASE("onednn: values share bytes once their readers have run", "[onnx_exec][onednn]") {
  // x -> Relu -> a -> Sigmoid -> b -> Relu -> y: a is free once b is written, so y takes a's bytes: two values'
  // worth for three.
  OneNode g("Relu");
  g.node->set_output(0, "a");
  for (const auto& [op, from, to] : {std::tuple{"Sigmoid", "a", "b"}, std::tuple{"Relu", "b", "y"}}) {
    auto* node = g.model.mutable_graph()->add_node();
    node->set_op_type(op);
    node->set_name(std::string(op) + "_" + to);
    node->add_input(from);
    node->add_output(to);
  }
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({1, 8, 16, 16});
  g.input_shape(x.sizes().vec());
  OnednnNet net(g.model);
  const size_t value = 8 * 16 * 16 * sizeof(float);
  CHECK(net.activation_bytes() == 2 * value);
  CHECK(max_diff(run_onednn(g.model, x), torch::relu(torch::sigmoid(torch::relu(x)))) < 1e-6);
}
