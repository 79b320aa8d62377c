#include "core/export/onnx_fp16.h"

#include <torch/torch.h>

#include <stdexcept>
#include <unordered_set>

#include "core/onnx_exec/onnx_tensor.h"

namespace pseg {
namespace {

onnx::NodeProto cast_node(const std::string& from, const std::string& to, int64_t type) {
  onnx::NodeProto n;
  n.set_op_type("Cast");
  n.set_name("Cast_" + to);
  n.add_input(from);
  n.add_output(to);
  auto* a = n.add_attribute();
  a->set_name("to");
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(type);
  return n;
}

// The element type a Cast node converts to.
int64_t cast_target(const onnx::NodeProto& cast) {
  for (const auto& a : cast.attribute())
    if (a.name() == "to") return a.i();
  return onnx::TensorProto::UNDEFINED;
}

// Resize reads its roi and scales as float32 whatever X is.
bool resize_parameter(const onnx::NodeProto& n, int input) { return n.op_type() == "Resize" && input > 0; }

bool large(const std::unordered_map<std::string, double>& max_abs, const std::string& name) {
  auto it = max_abs.find(name);
  return it != max_abs.end() && !(it->second <= kFp16SafeMax);
}

}  // namespace

Fp16Stats convert_to_fp16(onnx::ModelProto& model, const std::unordered_map<std::string, double>& max_abs) {
  auto& g = *model.mutable_graph();
  Fp16Stats stats;
  // Which nodes stay float32: those reading or writing a value beyond the safe range.
  std::vector<bool> keep(static_cast<size_t>(g.node_size()), false);
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    bool k = false;
    for (const auto& in : n.input()) k = k || large(max_abs, in);
    for (const auto& out : n.output()) k = k || large(max_abs, out);
    keep[static_cast<size_t>(i)] = k;
    stats.float32_nodes += k;
  }
  stats.nodes = g.node_size();

  std::unordered_map<std::string, int> init_index;
  for (int i = 0; i < g.initializer_size(); ++i) init_index[g.initializer(i).name()] = i;
  // Every float32 weight is stored as float16 (half the file); float32 nodes read theirs through a Cast, which
  // runtimes fold at load. Resize scales/roi stay float32 as ONNX requires.
  std::unordered_set<std::string> keep_float_init, half_init;
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    for (int j = 0; j < n.input_size(); ++j) {
      const std::string& in = n.input(j);
      auto idx = init_index.find(in);
      if (idx == init_index.end() || g.initializer(idx->second).data_type() != onnx::TensorProto::FLOAT) continue;
      (resize_parameter(n, j) ? keep_float_init : half_init).insert(in);
    }
  }
  for (const auto& name : keep_float_init) half_init.erase(name);
  for (auto& init : *g.mutable_initializer()) {
    if (init.data_type() != onnx::TensorProto::FLOAT || !half_init.count(init.name())) continue;
    const torch::Tensor t = tensor_from_proto(init);
    if (t.numel() && t.abs().max().item<float>() > 65504.f)
      throw std::runtime_error("fp16: initializer " + init.name() + " has values beyond float16's range (max |x| " +
                               std::to_string(t.abs().max().item<float>()) + ")");
    tensor_to_proto(t.to(torch::kHalf), init);
    ++stats.initializers;
  }

  // Rebuild the node list with a Cast wherever a value crosses between float16 and float32 nodes.
  std::unordered_set<std::string> half_tensors(half_init.begin(), half_init.end());  // float values held in float16
  std::unordered_map<std::string, std::string> as_half, as_float;  // value -> its Cast copy
  std::vector<onnx::NodeProto> nodes;
  auto converted = [&](const std::string& v, bool want_half) -> std::string {
    auto& cache = want_half ? as_half : as_float;
    auto it = cache.find(v);
    if (it != cache.end()) return it->second;
    const std::string copy = v + (want_half ? "_fp16" : "_fp32");
    nodes.push_back(cast_node(v, copy, want_half ? onnx::TensorProto::FLOAT16 : onnx::TensorProto::FLOAT));
    ++stats.casts;
    return cache[v] = copy;
  };
  // float values computed in float32: the graph input, the kept float32 initializers, float32 nodes' outputs
  std::unordered_set<std::string> float_tensors(keep_float_init.begin(), keep_float_init.end());
  float_tensors.insert(g.input(0).name());
  for (int i = 0; i < g.node_size(); ++i) {
    onnx::NodeProto n = g.node(i);
    const bool in_half = !keep[static_cast<size_t>(i)];
    for (int j = 0; j < n.input_size(); ++j) {
      const std::string& in = n.input(j);
      if (in.empty()) continue;
      if (in_half && float_tensors.count(in) && !resize_parameter(n, j))
        n.set_input(j, converted(in, true));
      else if (!in_half && half_tensors.count(in))
        n.set_input(j, converted(in, false));
    }
    if (n.op_type() == "Cast" && in_half && cast_target(n) == onnx::TensorProto::FLOAT) {
      for (auto& a : *n.mutable_attribute())
        if (a.name() == "to") a.set_i(onnx::TensorProto::FLOAT16);
      ++stats.casts;
    }
    // Outputs of float ops inherit the node's precision; comparisons and casts to other types are neither.
    const int64_t to = n.op_type() == "Cast" ? cast_target(n) : onnx::TensorProto::FLOAT;
    const bool float_out =
        n.op_type() != "Greater" && (to == onnx::TensorProto::FLOAT16 || to == onnx::TensorProto::FLOAT);
    for (const auto& out : n.output())
      if (float_out) (in_half ? half_tensors : float_tensors).insert(out);
    nodes.push_back(std::move(n));
  }
  // A float output computed in float16 is cast back to float32 under the output's name.
  for (const auto& out : g.output()) {
    if (out.type().tensor_type().elem_type() != onnx::TensorProto::FLOAT || !half_tensors.count(out.name())) continue;
    const std::string internal = out.name() + "_fp16";
    for (auto& n : nodes) {
      for (auto& o : *n.mutable_output())
        if (o == out.name()) o = internal;
      for (auto& in : *n.mutable_input())
        if (in == out.name()) in = internal;
    }
    nodes.push_back(cast_node(internal, out.name(), onnx::TensorProto::FLOAT));
    ++stats.casts;
  }
  g.clear_node();
  for (auto& n : nodes) *g.add_node() = std::move(n);
  g.clear_value_info();
  return stats;
}

}  // namespace pseg
