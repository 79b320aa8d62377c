// Reduced-precision rewrites of an exported graph: fp16's mixed precision (a node whose values leave float16's
// range stays float32 behind Cast nodes and the graph still type-checks), int8 QDQ at opset 11 with per-tensor
// weights (no per-axis DequantizeLinear there).
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <filesystem>

#include "core/export/export_head.h"
#include "core/export/export_onnx.h"
#include "core/export/onnx_fp16.h"
#include "core/export/onnx_int8.h"
#include "core/model_io/model_meta.h"
#include "core/onnx_exec/onnx_executor.h"
#include "tests/core/export_test_util.h"

using namespace pseg;
using namespace pseg::test;

namespace {

const onnx::NodeProto* producer(const onnx::GraphProto& g, const std::string& value) {
  for (const auto& n : g.node())
    for (const auto& o : n.output())
      if (o == value) return &n;
  return nullptr;
}

}  // namespace

TEST_CASE("fp16: a node whose values leave float16's range stays float32 behind casts", "[export][precision]") {
  ScratchDir dir("fp16_mixed");
  SegNet net = seeded_net("prisma_net", 64, 64);
  OnnxModel model = build_onnx_model(*net, random_input(*net), meta_for(*net, ExportHead::Probability, 0.5f), {});
  const torch::Tensor x = random_input(*net);
  const torch::Tensor ref = OnnxExecutor(model.proto).run(x);
  std::string big;
  for (const auto& n : model.proto.graph().node())
    if (n.op_type() == "Conv" && n.input(0) != "input") {  // one whose input is computed in float16
      big = n.output(0);
      break;
    }
  REQUIRE(!big.empty());
  const Fp16Stats s = convert_to_fp16(model.proto, {{big, 1e5}});
  CHECK(s.float32_nodes >= 2);  // the convolution writing it and what reads it
  const auto& g = model.proto.graph();
  const onnx::NodeProto* conv = producer(g, big);
  REQUIRE(conv);
  // Its weight is stored as float16 and read through a Cast to float32; its input comes cast up as well.
  const onnx::NodeProto* weight_cast = producer(g, conv->input(1));
  REQUIRE(weight_cast);
  CHECK(weight_cast->op_type() == "Cast");
  CHECK(weight_cast->attribute(0).i() == onnx::TensorProto::FLOAT);
  const onnx::NodeProto* input_cast = producer(g, conv->input(0));
  REQUIRE(input_cast);
  CHECK(input_cast->op_type() == "Cast");
  // onnx::checker and strict shape inference (types included) accept the mixed graph.
  model.meta.precision = "fp16";
  const std::string path = (dir / "mixed.onnx").string();
  REQUIRE_NOTHROW(write_onnx_model(model, path));
  const torch::Tensor got = OnnxExecutor(read_onnx_model(path)).run(x);
  CHECK(got.scalar_type() == torch::kFloat);
  CHECK((got - ref).abs().max().item<double>() < 1e-2);
}

TEST_CASE("int8: QDQ at opset 11 with per-tensor weights writes scalar scales only", "[export][precision]") {
  ScratchDir dir("int8_opset11");
  SegNet net = seeded_net("prisma_net", 64, 64);
  OnnxExportOptions o;
  o.opset = 11;
  OnnxModel model = build_onnx_model(*net, random_input(*net), meta_for(*net, ExportHead::Probability, 0.5f), o);
  const OnnxExecutor fp32(model.proto);
  std::map<std::string, ActivationRange> ranges;
  for (const auto& name : int8_activations(model.proto.graph(), Int8Scheme::Qdq)) ranges[name] = {-4.f, 4.f};
  const Int8Stats s = quantize_int8(model.proto, Int8Scheme::Qdq, /*per_channel=*/false, ranges);
  CHECK(s.biases > 0);
  for (const auto& n : model.proto.graph().node())
    for (const auto& a : n.attribute()) CHECK(a.name() != "axis");
  model.meta.precision = "int8";
  REQUIRE_NOTHROW(write_onnx_model(model, (dir / "int8.onnx").string()));
  const torch::Tensor x = random_input(*net);
  const torch::Tensor got = OnnxExecutor(read_onnx_model((dir / "int8.onnx").string())).run(x);
  CHECK((got - fp32.run(x)).abs().max().item<double>() < 0.5);  // quantised, not broken
}
