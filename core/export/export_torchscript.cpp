#include "core/export/export_torchscript.h"

#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "core/export/export_head.h"
#include "core/export/tracing.h"

namespace pseg {
namespace {

bool graph_reads(const torch::jit::Graph& graph, const std::string& attr) {
  for (const auto* node : graph.nodes())
    if (node->kind() == c10::prim::GetAttr && node->s(c10::attr::name) == attr) return true;
  return false;
}

// Drops the attributes of training-only branches (e.g. PortraitNet's edge head) from the traced module.
void remove_training_only(const SegNetImpl& net, TracedNet& traced) {
  std::vector<std::string> names;
  for (const auto& item : net.named_parameters()) names.push_back(item.key());
  for (const auto& item : net.named_buffers()) names.push_back(item.key());
  for (const auto& prefix : net.training_only_prefixes()) {
    for (const auto& name : names) {
      if (name.rfind(prefix, 0) != 0) continue;
      const std::string attr = flat_name(name);
      if (graph_reads(*traced.graph, attr))
        throw std::runtime_error("export: the inference graph still reads training-only parameter " + name);
      traced.module._ivalue()->unsafeRemoveAttr(attr);
      traced.module.type()->unsafeRemoveAttribute(attr);
    }
  }
}

}  // namespace

void export_torchscript(SegNetImpl& net, const torch::Tensor& example, const ModelMeta& meta, const std::string& path) {
  if (net.is_training()) throw std::logic_error("export_torchscript: the net must be in eval mode");
  torch::NoGradGuard no_grad;
  TracedNet traced = trace_net(net, example, [&](const torch::Tensor& x) {
    return std::vector<torch::Tensor>{inference_forward(net, x, meta.output, meta.threshold)};
  });
  // The trace records unused branches too (the boundary head); drop them before saving.
  torch::jit::EliminateDeadCode(traced.graph);
  remove_training_only(net, traced);
  ModelMeta ts_meta = meta;
  ts_meta.format = "torchscript";
  ts_meta.bn_folded = false;
  ts_meta.onnx_opset = 0;
  torch::jit::ExtraFilesMap extra{{kMetaKey, to_json(ts_meta).dump(2)}};
  traced.module.save(path, extra);
}

}  // namespace pseg
