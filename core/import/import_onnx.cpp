#include "core/import/import_onnx.h"

#include "core/import/importer_registry.h"
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <vector>

#include "core/import/weight_mapper.h"

namespace pseg {
namespace {

const std::vector<std::string>& weighted_ops() {
  static const std::vector<std::string> ops = {"Conv", "ConvTranspose", "BatchNormalization", "PRelu"};
  return ops;
}

onnx::ModelProto read_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&in) || !model.has_graph())
    throw std::runtime_error(path + ": not an ONNX model (truncated or another format)");
  return model;
}

torch::Tensor initializer_tensor(const onnx::TensorProto& t, const std::string& path) {
  const std::string what = path + ": initializer \"" + t.name() + "\"";
  if (t.data_type() != onnx::TensorProto::FLOAT) throw std::runtime_error(what + " is not float32");
  std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
  torch::Tensor out = torch::empty(dims, torch::kFloat);
  const size_t bytes = static_cast<size_t>(out.numel()) * sizeof(float);
  if (t.has_raw_data()) {
    if (t.raw_data().size() != bytes) throw std::runtime_error(what + ": raw data size does not match its dims");
    std::memcpy(out.data_ptr<float>(), t.raw_data().data(), bytes);  // little-endian, as ONNX stores it
  } else {
    if (static_cast<int64_t>(t.float_data_size()) != out.numel())
      throw std::runtime_error(what + ": float_data size does not match its dims");
    std::memcpy(out.data_ptr<float>(), t.float_data().data(), bytes);
  }
  return out;
}

std::vector<int64_t> ints_attr(const onnx::NodeProto& n, const std::string& name, std::vector<int64_t> fallback) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return {a.ints().begin(), a.ints().end()};
  return fallback;
}

double float_attr(const onnx::NodeProto& n, const std::string& name, double fallback) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return a.f();
  return fallback;
}

int64_t int_attr(const onnx::NodeProto& n, const std::string& name, int64_t fallback) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return a.i();
  return fallback;
}

// The weighted nodes of the graph in order, with their initializer inputs (inputs 1..) and geometry.
std::vector<SourceOp> weighted_nodes(const onnx::ModelProto& model, const std::string& path) {
  std::map<std::string, const onnx::TensorProto*> inits;
  for (const auto& t : model.graph().initializer()) inits[t.name()] = &t;
  std::vector<SourceOp> nodes;
  for (const auto& n : model.graph().node()) {
    if (std::find(weighted_ops().begin(), weighted_ops().end(), n.op_type()) == weighted_ops().end()) continue;
    SourceOp s;
    s.kind = n.op_type();
    const std::string id = n.name().empty() ? "output " + (n.output_size() ? n.output(0) : std::string("?")) : n.name();
    s.label = n.op_type() + " node \"" + id + "\" (weighted node " + std::to_string(nodes.size() + 1) + ")";
    for (int i = 1; i < n.input_size(); ++i) {
      if (n.input(i).empty()) continue;
      const auto it = inits.find(n.input(i));
      if (it == inits.end())
        throw std::invalid_argument(path + ": " + s.label + ": input \"" + n.input(i) +
                                    "\" is not an initializer; only constant weights can be imported");
      s.inputs.push_back(initializer_tensor(*it->second, path));
      s.input_labels.push_back("input \"" + n.input(i) + "\"");
    }
    s.strides = ints_attr(n, "strides", {1, 1});
    s.dilations = ints_attr(n, "dilations", {1, 1});
    s.groups = int_attr(n, "group", 1);
    s.epsilon = float_attr(n, "epsilon", 1e-5);
    nodes.push_back(std::move(s));
  }
  return nodes;
}

}  // namespace

ImportStats import_onnx_weights(const std::string& path, SegNetImpl& net) {
  const onnx::ModelProto model = read_model(path);
  std::vector<SourceOp> nodes = weighted_nodes(model, path);
  if (nodes.empty()) throw std::runtime_error(path + ": the ONNX graph has no Conv, ConvTranspose, BatchNormalization or PRelu nodes");
  return map_weighted_ops(path, std::move(nodes), net);
}

ImporterEntry onnx_importer() {
  return {"onnx", "weights of an exported ONNX graph (e.g. Prisma-Net)", {".onnx"}, import_onnx_weights};
}

}  // namespace pseg
