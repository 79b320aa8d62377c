#include "core/export/export_onnx.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/torch.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "core/export/export_head.h"
#include "core/export/onnx_lowering.h"
#include "core/export/tracing.h"
#include "core/onnx_exec/onnx_tensor.h"
#include "portraitseg/version.h"

namespace pseg {
namespace {

void set_tensor_type(onnx::ValueInfoProto* info, const std::string& name, int32_t elem,
                     const std::vector<int64_t>& sizes, bool dynamic_batch) {
  info->set_name(name);
  auto* t = info->mutable_type()->mutable_tensor_type();
  t->set_elem_type(elem);
  auto* shape = t->mutable_shape();
  for (size_t i = 0; i < sizes.size(); ++i) {
    auto* d = shape->add_dim();
    if (i == 0 && dynamic_batch) d->set_dim_param("N");
    else d->set_dim_value(sizes[i]);
  }
}

}  // namespace

OnnxModel build_onnx_model(SegNetImpl& net, const torch::Tensor& example, const ModelMeta& meta,
                           const OnnxExportOptions& options) {
  if (options.opset != 11 && options.opset != 13)
    throw std::invalid_argument("opset: expected 11 or 13, got " + std::to_string(options.opset));
  if (net.is_training()) throw std::logic_error("export_onnx: the net must be in eval mode");
  torch::NoGradGuard no_grad;
  torch::Tensor output;
  TracedNet traced = trace_net(net, example, [&](const torch::Tensor& x) {
    output = inference_forward(net, x, meta.output, meta.threshold);
    return std::vector<torch::Tensor>{output};
  });
  torch::jit::EliminateDeadCode(traced.graph);

  OnnxModel result;
  onnx::ModelProto& model = result.proto;
  model.set_ir_version(options.opset >= 13 ? 7 : 6);
  model.set_producer_name("portraitseg");
  model.set_producer_version(PORTRAITSEG_VERSION);
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(options.opset);
  auto* graph = model.mutable_graph();
  graph->set_name(net.config().net);

  const LoweringStats stats = lower_traced_graph(traced, {options.opset, options.fold_bn}, *graph);
  set_tensor_type(graph->add_input(), "input", onnx::TensorProto::FLOAT, example.sizes().vec(), options.dynamic_batch);
  set_tensor_type(graph->add_output(), "output", onnx_elem_type(output.scalar_type()), output.sizes().vec(),
                  options.dynamic_batch);

  result.meta = meta;
  result.meta.format = "onnx";
  result.meta.onnx_opset = options.opset;
  result.meta.dynamic_batch = options.dynamic_batch;
  result.meta.bn_folded = stats.bn_folded > 0 && stats.bn_kept == 0;
  return result;
}

void write_onnx_model(OnnxModel& m, const std::string& path) {
  onnx::ModelProto& model = m.proto;
  model.clear_metadata_props();
  auto* prop = model.add_metadata_props();
  prop->set_key(kMetaKey);
  prop->set_value(to_json(m.meta).dump());
  // fp32 files keep the inferred shapes (OpenCV DNN reads them); fp16/int8 files are checked the same way but
  // written without them: for hundreds of small quantised tensors they are a tenth of the file.
  onnx::ModelProto inferred = model;
  try {
    onnx::checker::check_model(inferred);
    onnx::shape_inference::InferShapes(inferred, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(/*check_type=*/true, /*strict=*/1, false));
  } catch (const std::exception& e) {
    throw std::runtime_error("ONNX export: the emitted model is invalid: " + std::string(e.what()));
  }
  if (m.meta.precision == "fp32") model = std::move(inferred);
  std::ofstream out(path, std::ios::binary);
  const bool serialised = out && model.SerializeToOstream(&out);
  out.close();  // the last buffered bytes reach the file here: a full disk may only show now
  if (!serialised || !out) throw std::runtime_error(path + ": cannot write the ONNX model: " + std::strerror(errno));
}

ModelMeta export_onnx(SegNetImpl& net, const torch::Tensor& example, const ModelMeta& meta,
                      const OnnxExportOptions& options, const std::string& path) {
  OnnxModel model = build_onnx_model(net, example, meta, options);
  write_onnx_model(model, path);
  return model.meta;
}

}  // namespace pseg
