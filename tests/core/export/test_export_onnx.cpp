// ONNX export: every config lowers to a checker-valid model that OpenCV 4.6 runs like the eager net, with the
// OpenCV-safe encodings (no Clip/Min, Resize modes per upsampling, PRelu [C,1,1]); unknown ops are errors.
#include <onnx/onnx_pb.h>

#include <fstream>
#include <map>
#include <set>

#include "core/export/export_head.h"
#include "core/export/export_onnx.h"
#include "core/export/export_verify.h"
#include "core/model_io/model_meta.h"
#include "tests/core/export_test_util.h"

using namespace pseg;
using namespace pseg::test;

namespace {

onnx::ModelProto load_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  onnx::ModelProto m;
  REQUIRE(m.ParseFromIstream(&in));
  return m;
}

std::multiset<std::string> op_types(const onnx::ModelProto& m) {
  std::multiset<std::string> ops;
  for (const auto& n : m.graph().node()) ops.insert(n.op_type());
  return ops;
}

std::set<std::string> resize_modes(const onnx::ModelProto& m) {
  std::set<std::string> modes;
  for (const auto& n : m.graph().node())
    for (const auto& a : n.attribute())
      if (n.op_type() == "Resize" && a.name() == "coordinate_transformation_mode") modes.insert(a.s());
  return modes;
}

VerifyReport export_and_verify(SegNetImpl& net, const std::string& path, ExportHead head, OnnxExportOptions opts) {
  const ModelMeta meta = meta_for(net, head, 0.5f);
  export_onnx(net, random_input(net), meta, opts, path);
  const EagerFn eager = [&](const torch::Tensor& x) { return inference_forward(net, x, head, 0.5f); };
  const auto inputs = verification_inputs(meta, opts.dynamic_batch, torch::kCPU);
  return verify_onnx_opencv(path, eager, inputs, head);
}

struct TanhNet : SegNetImpl {
  explicit TanhNet(const ModelConfig& c) : SegNetImpl("TanhNet", c, spec()) {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 1, 3).padding(1)));
  }
  static InputSpec spec() {
    InputSpec s;
    s.height = s.width = s.native_height = s.native_width = 32;
    return s;
  }
  NetOutput forward(const torch::Tensor& x) override { return {torch::tanh(conv(x)), {}}; }
  torch::nn::Conv2d conv{nullptr};
};

}  // namespace

TEST_CASE("ONNX export of every config runs in OpenCV like the eager net", "[export][onnx]") {
  ScratchDir dir("onnx_export");
  const std::map<std::string, std::set<std::string>> expected_resize = {
      {"mobile_unet_bilinear", {"asymmetric"}}, {"slim_net", {"align_corners"}}};
  for (const auto& name : six_configs()) {
    INFO(name);
    SegNet net = seeded_net(name, 64, 64);
    const std::string path = (dir / (name + ".onnx")).string();
    const VerifyReport r = export_and_verify(*net, path, ExportHead::Probability, {});
    INFO("max |diff| " << r.max_abs_diff());
    CHECK(r.ok);
    CHECK(r.max_abs_diff() <= 1e-4);

    const onnx::ModelProto m = load_model(path);
    const auto ops = op_types(m);
    CHECK(ops.count("Clip") == 0);
    CHECK(ops.count("Min") == 0);
    CHECK(ops.count("BatchNormalization") == 0);  // folded
    auto it = expected_resize.find(name);
    CHECK(resize_modes(m) == (it == expected_resize.end() ? std::set<std::string>{} : it->second));
    CHECK(m.graph().input(0).name() == "input");
    CHECK(m.graph().output(0).name() == "output");
    CHECK(m.graph().output(0).type().tensor_type().shape().dim_size() == 4);

    const ModelMeta meta = read_onnx_meta(path);
    CHECK(meta.net == net->config().net);
    CHECK(meta.format == "onnx");
    CHECK(meta.onnx_opset == 13);
    CHECK(meta.bn_folded == (name.rfind("mobile_unet", 0) == 0 || name.rfind("portrait_net", 0) == 0));
  }
}

TEST_CASE("ONNX export: Mobile-Unet v3 and DeepLabV3 (global pooling, half-pixel and align-corners resizes) run in "
          "OpenCV DNN like the eager net", "[export][onnx]") {
  ScratchDir dir("onnx_export_more");
  // DeepLab takes 8k + 1: 65 keeps every stride-2 stage odd; the pooled 1x1 map is replicated over 9x9.
  for (const auto& [name, size] : {std::pair<std::string, int64_t>{"mobile_unet_v3", 64}, {"deeplab_v3", 65}}) {
    INFO(name);
    SegNet net = seeded_net(name, size, size);
    const std::string path = (dir / (name + ".onnx")).string();
    const VerifyReport r = export_and_verify(*net, path, ExportHead::Probability, {});
    INFO("max |diff| " << r.max_abs_diff());
    CHECK(r.ok);
    CHECK(r.max_abs_diff() <= 1e-4);
    const auto ops = op_types(load_model(path));
    CHECK(ops.count("BatchNormalization") == 0);  // folded
    if (name == "deeplab_v3") CHECK(ops.count("GlobalAveragePool") == 1);
  }
}

TEST_CASE("ONNX PRelu slopes are [C,1,1] and the boundary head is not exported", "[export][onnx]") {
  ScratchDir dir("onnx_shapes");
  SegNet slim = seeded_net("slim_net", 64, 64);
  export_onnx(*slim, random_input(*slim), meta_for(*slim, ExportHead::Probability, 0.5f), {},
              (dir / "slim.onnx").string());
  const onnx::ModelProto m = load_model((dir / "slim.onnx").string());
  std::set<std::string> slopes;
  for (const auto& n : m.graph().node())
    if (n.op_type() == "PRelu") slopes.insert(n.input(1));
  REQUIRE(slopes.size() >= 50);
  for (const auto& init : m.graph().initializer())
    if (slopes.count(init.name())) CHECK((init.dims_size() == 3 && init.dims(1) == 1 && init.dims(2) == 1));

  SegNet pn = seeded_net("portrait_net", 64, 64);
  export_onnx(*pn, random_input(*pn), meta_for(*pn, ExportHead::Probability, 0.5f), {}, (dir / "pn.onnx").string());
  const onnx::ModelProto pn_model = load_model((dir / "pn.onnx").string());
  for (const auto& init : pn_model.graph().initializer())
    CHECK(init.name().rfind("edge", 0) != 0);
}

TEST_CASE("ONNX opset 11, kept BatchNorm and a dynamic batch also match", "[export][onnx]") {
  ScratchDir dir("onnx_variants");
  for (const auto& name : {"mobile_unet_bilinear", "mobile_unet_deconv", "portrait_net", "slim_net"}) {
    INFO(name);
    SegNet net = seeded_net(name, 64, 64);
    OnnxExportOptions opts;
    opts.opset = 11;
    opts.fold_bn = false;
    opts.dynamic_batch = true;
    const std::string path = (dir / (std::string(name) + ".onnx")).string();
    const VerifyReport r = export_and_verify(*net, path, ExportHead::Probability, opts);
    INFO("max |diff| " << r.max_abs_diff());
    CHECK(r.ok);
    REQUIRE(r.cases.size() == 3);  // two single inputs and a batch of two
    const onnx::ModelProto m = load_model(path);
    CHECK(m.opset_import(0).version() == 11);
    CHECK(m.graph().input(0).type().tensor_type().shape().dim(0).dim_param() == "N");
    const ModelMeta meta = read_onnx_meta(path);
    CHECK_FALSE(meta.bn_folded);
    CHECK(meta.dynamic_batch);
  }
}

TEST_CASE("ONNX logits and mask heads", "[export][onnx]") {
  ScratchDir dir("onnx_heads");
  SegNet net = seeded_net("mobile_unet_deconv", 64, 64);
  for (ExportHead head : {ExportHead::Logits, ExportHead::Mask}) {
    INFO(to_string(head));
    const std::string path = (dir / (to_string(head) + ".onnx")).string();
    const VerifyReport r = export_and_verify(*net, path, head, {});
    CHECK(r.ok);
    if (head == ExportHead::Mask) CHECK(r.max_abs_diff() == 0.0);
    const auto out_type = load_model(path).graph().output(0).type().tensor_type().elem_type();
    CHECK(out_type == (head == ExportHead::Mask ? onnx::TensorProto::UINT8 : onnx::TensorProto::FLOAT));
  }
}

TEST_CASE("ONNX export fails naming an op without a lowering", "[export][onnx]") {
  ScratchDir dir("onnx_unknown");
  ModelConfig c;
  c.net = "tanh_net";
  TanhNet net(c);
  net.eval();
  const std::string path = (dir / "tanh.onnx").string();
  CHECK_THROWS_WITH(export_onnx(net, torch::rand({1, 3, 32, 32}), meta_for(net, ExportHead::Logits, 0.5f), {}, path),
                    Catch::Contains("aten::tanh") && Catch::Contains("no ONNX lowering"));
  CHECK_FALSE(std::filesystem::exists(path));
}
