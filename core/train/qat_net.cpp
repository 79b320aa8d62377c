#include "core/train/qat_net.h"

#include <torch/torch.h>

#include "core/export/export_head.h"
#include "core/onnx_exec/onnx_tensor.h"

namespace pseg {
namespace {

constexpr double kObserverMomentum = 0.01;  // moving min/max, as PyTorch's MovingAverageMinMaxObserver

OnnxModel deploy_graph(SegNetImpl& net) {
  const bool was_training = net.is_training();
  net.eval();
  const auto& spec = net.input_spec();
  const torch::Tensor example = torch::zeros({1, spec.channels, spec.height, spec.width});
  OnnxModel m = build_onnx_model(net, example, meta_for(net, ExportHead::Logits, 0.5f), {});
  net.train(was_training);
  return m;
}

// Fake quantisation computed as the int8 file computes it (divide by the scale, round half to even, clamp), with
// the straight-through gradient: 1 where the value is representable, 0 where it was clamped. `scale` and `zero`
// broadcast against `x`. (LibTorch's fake_quantize_* multiply by 1/scale, which can round the other way.)
torch::Tensor fake_quantize(const torch::Tensor& x, const torch::Tensor& scale, const torch::Tensor& zero, double lo,
                            double hi) {
  const torch::Tensor q = torch::round(x.detach() / scale) + zero;
  const torch::Tensor inside = (q >= lo).logical_and(q <= hi).to(x.scalar_type());
  const torch::Tensor y = (q.clamp(lo, hi) - zero) * scale;
  return y + (x - x.detach()) * inside;
}

}  // namespace

QatNetImpl::QatNetImpl(SegNetImpl& float_net)
    : SegNetImpl("QatNet", float_net.config(), float_net.input_spec()), graph_(deploy_graph(float_net)) {
  executor_ = std::make_unique<OnnxExecutor>(graph_.proto);
  const auto& g = graph_.proto.graph();
  std::unordered_map<std::string, const onnx::TensorProto*> inits;
  for (const auto& init : g.initializer()) inits[init.name()] = &init;
  std::unordered_set<std::string> seen;
  // Trainable: convolution weights and biases, PRelu slopes; Resize scales, pads and the like stay constant.
  for (const auto& n : g.node()) {
    const bool conv = n.op_type() == "Conv" || n.op_type() == "ConvTranspose";
    if (!conv && n.op_type() != "PRelu") continue;
    for (int i = 1; i < n.input_size(); ++i) {
      const std::string& name = n.input(i);
      auto it = inits.find(name);
      if (it == inits.end() || !seen.insert(name).second) continue;
      Weight w;
      w.onnx_name = name;
      std::string param_name = name;
      std::replace(param_name.begin(), param_name.end(), '.', '_');
      w.param = register_parameter(param_name, tensor_from_proto(*it->second).to(torch::kFloat));
      w.quantised = conv && i == 1;
      w.op = n.op_type();
      w.group = conv ? conv_group(n) : 1;
      weights_.push_back(std::move(w));
    }
  }
  for (const auto& name : int8_activations(g, Int8Scheme::Qdq)) activations_.insert(name);
}

torch::Tensor QatNetImpl::fake_quant_activation(const std::string& name, const torch::Tensor& v) {
  auto it = ranges_.find(name);
  const bool first = it == ranges_.end();
  if (first || (is_training() && !frozen_)) {  // the two reductions only while the range can change
    const float lo = v.min().item<float>(), hi = v.max().item<float>();
    if (first) {
      it = ranges_.emplace(name, ActivationRange{lo, hi}).first;
    } else {
      it->second.lo += static_cast<float>(kObserverMomentum * (lo - it->second.lo));
      it->second.hi += static_cast<float>(kObserverMomentum * (hi - it->second.hi));
    }
  }
  const auto [scale, zero] = activation_quant_params(it->second);
  const auto options = torch::TensorOptions().device(v.device());
  return fake_quantize(v, torch::tensor(scale, options), torch::tensor(static_cast<float>(zero), options), 0, 255);
}

NetOutput QatNetImpl::forward(const torch::Tensor& x) {
  OnnxExecutor::Hooks hooks;
  for (const auto& w : weights_) {
    if (!w.quantised) {
      hooks.overrides[w.onnx_name] = w.param;
      continue;
    }
    const WeightQuant q = weight_quant_params(w.param, w.op, w.group, /*per_channel=*/true);
    std::vector<int64_t> shape(static_cast<size_t>(w.param.dim()), 1);
    if (q.per_channel) shape[static_cast<size_t>(q.axis)] = q.scale.numel();
    const torch::Tensor scale = q.scale.to(w.param.device()).reshape(shape);
    hooks.overrides[w.onnx_name] = fake_quantize(w.param, scale, torch::zeros_like(scale), -127, 127);
  }
  hooks.transform = [this](const std::string& name, const torch::Tensor& v) {
    return activations_.count(name) ? fake_quant_activation(name, v) : v;
  };
  return {executor_->run_differentiable(x, hooks), {}};
}

OnnxModel QatNetImpl::int8_model() const {
  OnnxModel m = graph_;
  std::unordered_map<std::string, torch::Tensor> trained;
  for (const auto& w : weights_) trained[w.onnx_name] = w.param.detach().to(torch::kCPU);
  for (auto& init : *m.proto.mutable_graph()->mutable_initializer()) {
    auto it = trained.find(init.name());
    if (it != trained.end()) tensor_to_proto(it->second, init);
  }
  const Int8Stats s = quantize_int8(m.proto, Int8Scheme::Qdq, /*per_channel=*/true, ranges_);
  m.meta.precision = "int8";
  m.meta.quantization = {
      {"scheme", "qdq"},
      {"quantization_aware_training", true},
      {"weights", {{"type", "int8"}, {"symmetric", true}, {"per_channel", true}, {"tensors", s.weights}}},
      {"activations",
       {{"type", "uint8"}, {"per_tensor", true}, {"tensors", s.activations}, {"max_step", s.max_step},
        {"last", s.last_activation}, {"last_step", s.last_step}, {"observer", "moving min/max, frozen"}}},
      {"biases", {{"type", "int32"}, {"tensors", s.biases}}}};
  return m;
}

}  // namespace pseg
