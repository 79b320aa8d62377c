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

#include "nets/sync_batch_norm.h"

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

// One weighted node of the file with its initializer inputs (inputs 1..).
struct SourceNode {
  const onnx::NodeProto* node = nullptr;
  std::string label;  // for messages: op, name and position
  std::vector<torch::Tensor> inputs;
  std::vector<std::string> input_names;
};

std::vector<SourceNode> weighted_nodes(const onnx::ModelProto& model, const std::string& path) {
  std::map<std::string, const onnx::TensorProto*> inits;
  for (const auto& t : model.graph().initializer()) inits[t.name()] = &t;
  std::vector<SourceNode> nodes;
  for (const auto& n : model.graph().node()) {
    if (std::find(weighted_ops().begin(), weighted_ops().end(), n.op_type()) == weighted_ops().end()) continue;
    SourceNode s;
    s.node = &n;
    const std::string id = n.name().empty() ? "output " + (n.output_size() ? n.output(0) : std::string("?")) : n.name();
    s.label = n.op_type() + " node \"" + id + "\" (weighted node " + std::to_string(nodes.size() + 1) + ")";
    for (int i = 1; i < n.input_size(); ++i) {
      if (n.input(i).empty()) continue;
      const auto it = inits.find(n.input(i));
      if (it == inits.end())
        throw std::invalid_argument(path + ": " + s.label + ": input \"" + n.input(i) +
                                    "\" is not an initializer; only constant weights can be imported");
      s.inputs.push_back(initializer_tensor(*it->second, path));
      s.input_names.push_back(n.input(i));
    }
    nodes.push_back(std::move(s));
  }
  return nodes;
}

// A weighted module of the net, in registration order.
struct Target {
  std::string path;
  torch::nn::Module* module = nullptr;
  std::string op;  // the ONNX op it maps from
};

std::vector<Target> weighted_modules(SegNetImpl& net) {
  std::vector<Target> out;
  for (const auto& item : net.named_modules("", /*include_self=*/false)) {
    torch::nn::Module* m = item.value().get();
    std::string op;
    if (m->as<torch::nn::Conv2d>()) op = "Conv";
    else if (m->as<torch::nn::ConvTranspose2d>()) op = "ConvTranspose";
    else if (m->as<SyncBatchNorm2d>()) op = "BatchNormalization";
    else if (m->as<torch::nn::PReLU>()) op = "PRelu";
    else continue;
    out.push_back({item.key(), m, op});
  }
  return out;
}

template <typename Options>
void check_geometry(const std::string& path, const SourceNode& s, const Options& o, const std::string& where) {
  const std::vector<int64_t> stride(o.stride()->begin(), o.stride()->end());
  const std::vector<int64_t> dilation(o.dilation()->begin(), o.dilation()->end());
  const auto check = [&](const std::string& what, const std::vector<int64_t>& file, const std::vector<int64_t>& ours) {
    if (file != ours)
      throw std::invalid_argument(path + ": " + s.label + ": " + what + " " + shape_string(file) + " in the file, " +
                                  shape_string(ours) + " in the net (" + where + ")");
  };
  check("strides", ints_attr(*s.node, "strides", {1, 1}), stride);
  check("dilations", ints_attr(*s.node, "dilations", {1, 1}), dilation);
  check("group", {int_attr(*s.node, "group", 1)}, {o.groups()});
}

class Mapper {
 public:
  Mapper(std::string path, std::vector<SourceNode> nodes) : path_(std::move(path)), nodes_(std::move(nodes)) {}

  void map(const std::vector<Target>& targets) {
    for (const Target& t : targets) {
      if (t.op == "BatchNormalization") {
        batch_norm(t);
        continue;
      }
      if (folded_bias_.defined())
        throw std::invalid_argument(path_ + ": " + folded_label_ + " has a bias but the net's convolution has none " +
                                    "and no BatchNorm follows it (" + t.path + ")");
      const SourceNode& s = next(t);
      if (t.op == "PRelu") {
        auto& m = *t.module->as<torch::nn::PReLU>();
        const torch::Tensor slope = s.inputs.at(0);
        if (slope.numel() != m.weight.numel())
          throw std::invalid_argument(path_ + ": " + s.label + ": slope " + shape_string(slope.sizes()) + " in the file, " +
                                      std::to_string(m.weight.numel()) + " channels in the net (" + t.path + ")");
        copy_weight(m.weight, slope.reshape(m.weight.sizes()), s.label + " slope", t.path, stats_);
      } else if (t.op == "Conv") {
        auto& m = *t.module->as<torch::nn::Conv2d>();
        check_geometry(path_, s, m.options, t.path);
        conv(s, t, m.weight, m.bias);
      } else {
        auto& m = *t.module->as<torch::nn::ConvTranspose2d>();
        check_geometry(path_, s, m.options, t.path);
        conv(s, t, m.weight, m.bias);
      }
    }
    if (folded_bias_.defined())
      throw std::invalid_argument(path_ + ": " + folded_label_ + " has a bias but the net's last convolution has none");
    if (pos_ < nodes_.size())
      throw std::invalid_argument(path_ + ": " + nodes_[pos_].label + " has no counterpart in the net: the file has " +
                                  std::to_string(nodes_.size()) + " weighted nodes, the net maps " +
                                  std::to_string(pos_));
  }

  const ImportStats& stats() const { return stats_; }

 private:
  const SourceNode& next(const Target& t) {
    if (pos_ >= nodes_.size())
      throw std::invalid_argument(path_ + ": the file has only " + std::to_string(nodes_.size()) +
                                  " weighted nodes; net module " + t.path + " (" + t.op + ") has no counterpart");
    const SourceNode& s = nodes_[pos_++];
    if (s.node->op_type() != t.op)
      throw std::invalid_argument(path_ + ": " + s.label + " maps onto net module " + t.path + ", which is a " + t.op);
    if (s.inputs.empty()) throw std::invalid_argument(path_ + ": " + s.label + " has no weight initializer");
    ++stats_.layers;
    return s;
  }

  std::string tensor_label(const SourceNode& s, size_t i) const {
    return path_ + ": " + s.label + " input \"" + s.input_names.at(i) + "\"";
  }

  void conv(const SourceNode& s, const Target& t, torch::Tensor& weight, torch::Tensor& bias) {
    copy_weight(weight, s.inputs[0], tensor_label(s, 0), t.path + ".weight", stats_);
    const bool file_bias = s.inputs.size() > 1;
    if (file_bias && bias.defined()) {
      copy_weight(bias, s.inputs[1], tensor_label(s, 1), t.path + ".bias", stats_);
    } else if (file_bias) {
      folded_bias_ = s.inputs[1];
      folded_label_ = s.label;
    } else if (bias.defined()) {
      torch::NoGradGuard no_grad;
      bias.zero_();
    }
  }

  void batch_norm(const Target& t) {
    auto& m = *t.module->as<SyncBatchNorm2d>();
    torch::NoGradGuard no_grad;
    const double eps = m.options.eps();
    if (pos_ < nodes_.size() && nodes_[pos_].node->op_type() == "BatchNormalization") {
      const SourceNode& s = next(t);
      if (s.inputs.size() != 4) throw std::invalid_argument(path_ + ": " + s.label + ": expected 4 initializer inputs");
      copy_weight(m.weight, s.inputs[0], tensor_label(s, 0), t.path + ".weight", stats_);
      copy_weight(m.bias, s.inputs[1], tensor_label(s, 1), t.path + ".bias", stats_);
      copy_weight(m.running_mean, s.inputs[2], tensor_label(s, 2), t.path + ".running_mean", stats_);
      copy_weight(m.running_var, s.inputs[3], tensor_label(s, 3), t.path + ".running_var", stats_);
      // Another eps moves into the variance: var + eps_file == var' + eps_net. ONNX stores eps as a float.
      const double file_eps = float_attr(*s.node, "epsilon", 1e-5);
      if (static_cast<float>(file_eps) != static_cast<float>(eps)) m.running_var.add_(file_eps - eps);
      // A conv bias before an unfolded BN shifts the mean it subtracts.
      if (folded_bias_.defined()) m.running_mean.sub_(folded_bias_.to(m.running_mean.device()));
    } else {
      // Folded in the source: the preceding convolution already applies it.
      m.weight.fill_(1.0);
      m.running_mean.zero_();
      m.running_var.fill_(identity_bn_variance(eps));
      if (folded_bias_.defined())
        copy_weight(m.bias, folded_bias_, path_ + ": " + folded_label_ + " bias (BatchNorm folded)", t.path + ".bias",
                    stats_);
      else
        m.bias.zero_();
    }
    folded_bias_ = torch::Tensor();
  }

  std::string path_;
  std::vector<SourceNode> nodes_;
  size_t pos_ = 0;
  torch::Tensor folded_bias_;  // bias of a source convolution whose net counterpart has none
  std::string folded_label_;
  ImportStats stats_;
};

}  // namespace

ImportStats import_onnx_weights(const std::string& path, SegNetImpl& net) {
  const onnx::ModelProto model = read_model(path);
  std::vector<SourceNode> nodes = weighted_nodes(model, path);
  if (nodes.empty()) throw std::runtime_error(path + ": the ONNX graph has no Conv, ConvTranspose, BatchNormalization or PRelu nodes");
  Mapper mapper(path, std::move(nodes));
  mapper.map(weighted_modules(net));
  return mapper.stats();
}

ImporterEntry onnx_importer() {
  return {"onnx", "weights of an exported ONNX graph (e.g. Prisma-Net)", {".onnx"}, import_onnx_weights};
}

}  // namespace pseg
