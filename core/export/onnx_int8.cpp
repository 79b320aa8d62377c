#include "core/export/onnx_int8.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "core/onnx_exec/onnx_tensor.h"

namespace pseg {
namespace {

bool is_conv(const onnx::NodeProto& n) { return n.op_type() == "Conv" || n.op_type() == "ConvTranspose"; }

std::unordered_map<std::string, std::vector<const onnx::NodeProto*>> consumers_of(const onnx::GraphProto& g) {
  std::unordered_map<std::string, std::vector<const onnx::NodeProto*>> c;
  for (const auto& n : g.node())
    for (const auto& in : n.input()) c[in].push_back(&n);
  return c;
}

// Quantisation nodes go unnamed: hundreds of them, each named by its output already.
onnx::NodeProto make_node(const std::string& op, std::vector<std::string> inputs, const std::string& output,
                          int64_t axis = -1) {
  onnx::NodeProto n;
  n.set_op_type(op);
  for (auto& i : inputs) n.add_input(i);
  n.add_output(output);
  if (axis >= 0) {
    auto* a = n.add_attribute();
    a->set_name("axis");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(axis);
  }
  return n;
}

// Builds the rewritten graph: new initializers and nodes are collected here, then swapped in.
class Int8Writer {
 public:
  Int8Writer(onnx::GraphProto& g, bool per_channel) : g_(g), per_channel_(per_channel) {
    for (const auto& init : g.initializer()) inits_[init.name()] = &init;
  }

  void add_init(const std::string& name, const torch::Tensor& t) {
    onnx::TensorProto p;
    p.set_name(name);
    tensor_to_proto(t, p);
    new_inits_.push_back(std::move(p));
  }

  torch::Tensor constant(const onnx::NodeProto& n, int index) const {
    auto it = inits_.find(n.input(index));
    if (it == inits_.end())
      throw std::runtime_error("int8: " + n.op_type() + " node " + n.name() + " has computed weights (" + n.input(index) +
                               "); only constant weights can be quantised");
    return tensor_from_proto(*it->second);
  }

  // Symmetric int8 weights along the output-channel axis; returns the dequantised name and the scales [C] or [1].
  std::pair<std::string, torch::Tensor> weight(const onnx::NodeProto& n, std::vector<onnx::NodeProto>& nodes) {
    const torch::Tensor w = constant(n, 1).to(torch::kFloat);
    const WeightQuant wq = weight_quant_params(w, n.op_type(), conv_group(n), per_channel_);
    const bool channel = wq.per_channel;
    const int64_t axis = wq.axis;
    const torch::Tensor scale = wq.scale;
    std::vector<int64_t> shape(static_cast<size_t>(w.dim()), 1);
    shape[static_cast<size_t>(axis)] = channel ? scale.numel() : 1;
    const torch::Tensor q = torch::round(w / scale.reshape(shape)).clamp(-127, 127).to(torch::kChar);
    const std::string base = n.input(1) + "_int8";
    add_init(base, q);
    add_init(base + "_scale", channel ? scale : scale.reshape({}));
    add_init(base + "_zero", channel ? torch::zeros({scale.numel()}, torch::kChar) : torch::zeros({}, torch::kChar));
    nodes.push_back(make_node("DequantizeLinear", {base, base + "_scale", base + "_zero"}, base + "_dq",
                              channel ? axis : -1));
    dropped_.insert(n.input(1));
    return {base + "_dq", scale};
  }

  // int32 bias with scale input_scale x weight_scale[c] (one scale, no axis, for per-tensor weights: opset 11 has
  // no per-axis DequantizeLinear) and the default zero point 0.
  std::string bias(const onnx::NodeProto& n, float input_scale, const torch::Tensor& weight_scale,
                   std::vector<onnx::NodeProto>& nodes) {
    const torch::Tensor b = constant(n, 2).to(torch::kFloat);
    const bool per_channel = weight_scale.numel() > 1;
    const torch::Tensor scale = (weight_scale.to(torch::kDouble) * input_scale).to(torch::kFloat);
    const torch::Tensor q = torch::round(b.to(torch::kDouble) / scale.to(torch::kDouble)).clamp(INT32_MIN, INT32_MAX).to(torch::kInt);
    const std::string base = n.input(2) + "_int32";
    add_init(base, q);
    add_init(base + "_scale", per_channel ? scale : scale.reshape({}));
    nodes.push_back(make_node("DequantizeLinear", {base, base + "_scale"}, base + "_dq", per_channel ? 0 : -1));
    dropped_.insert(n.input(2));
    return base + "_dq";
  }

  // Quantise-dequantise of activation `t`; returns its scale.
  float activation(const std::string& t, const ActivationRange& r, std::vector<onnx::NodeProto>& nodes) {
    const auto [scale, zero] = activation_quant_params(r);
    add_init(t + "_scale", torch::tensor(scale));
    add_init(t + "_zero", torch::tensor(zero, torch::kByte).reshape({}));
    nodes.push_back(make_node("QuantizeLinear", {t, t + "_scale", t + "_zero"}, t + "_q"));
    nodes.push_back(make_node("DequantizeLinear", {t + "_q", t + "_scale", t + "_zero"}, t + "_dq"));
    return scale;
  }

  void finish(std::vector<onnx::NodeProto> nodes) {
    std::unordered_set<std::string> used;
    for (const auto& n : nodes)
      for (const auto& in : n.input()) used.insert(in);
    google::protobuf::RepeatedPtrField<onnx::TensorProto> kept;
    for (auto& init : *g_.mutable_initializer())
      if (!dropped_.count(init.name()) || used.count(init.name())) *kept.Add() = std::move(init);
    for (auto& init : new_inits_) *kept.Add() = std::move(init);
    g_.mutable_initializer()->Swap(&kept);
    g_.clear_node();
    for (auto& n : nodes) *g_.add_node() = std::move(n);
    g_.clear_value_info();
  }

 private:
  onnx::GraphProto& g_;
  bool per_channel_;
  std::unordered_map<std::string, const onnx::TensorProto*> inits_;
  std::vector<onnx::TensorProto> new_inits_;
  std::unordered_set<std::string> dropped_;
};

}  // namespace

int64_t conv_group(const onnx::NodeProto& n) {
  for (const auto& a : n.attribute())
    if (a.name() == "group") return a.i();
  return 1;
}

WeightQuant weight_quant_params(const torch::Tensor& w, const std::string& op, int64_t group, bool per_channel) {
  WeightQuant q;
  q.axis = op == "ConvTranspose" ? 1 : 0;
  q.per_channel = per_channel && !(op == "ConvTranspose" && group > 1);
  const torch::Tensor a = w.detach().to(torch::kFloat).abs();
  q.scale = q.per_channel ? a.transpose(0, q.axis).reshape({w.size(q.axis), -1}).amax(1) / 127.f
                          : a.max().reshape({1}) / 127.f;
  q.scale = torch::where(q.scale > 0, q.scale, torch::ones_like(q.scale));
  return q;
}

std::pair<float, uint8_t> activation_quant_params(const ActivationRange& r) {
  const double lo = std::min(0.0, static_cast<double>(r.lo)), hi = std::max(0.0, static_cast<double>(r.hi));
  const double scale = hi > lo ? (hi - lo) / 255.0 : 1.0;
  const double zero = std::round(-lo / scale);
  return {static_cast<float>(scale), static_cast<uint8_t>(std::min(255.0, std::max(0.0, zero)))};
}

std::vector<std::string> int8_activations(const onnx::GraphProto& g, Int8Scheme scheme) {
  std::vector<std::string> names;
  for (const auto& n : g.node()) {
    if (n.op_type() == "BatchNormalization" && scheme == Int8Scheme::Qdq)
      throw std::runtime_error("int8: BatchNormalization node " + n.name() +
                               " cannot be quantised; export with BatchNorm folded (without --keep-bn)");
  }
  if (scheme != Int8Scheme::Qdq) return names;
  const auto consumers = consumers_of(g);
  std::unordered_set<std::string> seen;
  const std::string output = g.output(0).name();
  auto add = [&](const std::string& t) {
    if (t != output && seen.insert(t).second) names.push_back(t);
  };
  for (const auto& n : g.node()) {
    if (!is_conv(n)) continue;
    add(n.input(0));
    std::string out = n.output(0);
    auto it = consumers.find(out);
    if (it != consumers.end() && it->second.size() == 1 && it->second[0]->op_type() == "Relu") out = it->second[0]->output(0);
    add(out);
  }
  return names;
}

Int8Stats quantize_int8(onnx::ModelProto& model, Int8Scheme scheme, bool per_channel,
                        const std::map<std::string, ActivationRange>& ranges) {
  auto& g = *model.mutable_graph();
  const std::vector<std::string> acts = int8_activations(g, scheme);
  const std::unordered_set<std::string> quantised(acts.begin(), acts.end());
  Int8Writer writer(g, per_channel);
  Int8Stats stats;
  std::vector<onnx::NodeProto> nodes;
  std::unordered_map<std::string, float> scales;  // activation -> scale
  auto quantise = [&](const std::string& t) {
    if (!quantised.count(t) || scales.count(t)) return;
    auto r = ranges.find(t);
    if (r == ranges.end()) throw std::runtime_error("int8: no calibrated range for activation " + t);
    scales[t] = writer.activation(t, r->second, nodes);
    ++stats.activations;
    stats.max_step = std::max(stats.max_step, static_cast<double>(scales[t]));
    stats.last_activation = t;
    stats.last_step = scales[t];
  };
  quantise(g.input(0).name());
  for (const auto& original : g.node()) {
    onnx::NodeProto n = original;
    for (auto& in : *n.mutable_input())
      if (scales.count(in)) in += "_dq";
    if (is_conv(original)) {
      auto [w, wscale] = writer.weight(original, nodes);
      n.set_input(1, w);
      ++stats.weights;
      auto s = scales.find(original.input(0));
      if (n.input_size() > 2 && !n.input(2).empty() && s != scales.end()) {
        n.set_input(2, writer.bias(original, s->second, wscale, nodes));
        ++stats.biases;
      }
    }
    nodes.push_back(n);
    for (const auto& out : original.output()) quantise(out);
  }
  writer.finish(std::move(nodes));
  return stats;
}

}  // namespace pseg
