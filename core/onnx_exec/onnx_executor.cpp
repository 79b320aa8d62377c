#include "core/onnx_exec/onnx_executor.h"

#include <torch/torch.h>

#include <map>
#include <stdexcept>

#include "core/onnx_exec/fused_graph.h"
#include "core/onnx_exec/onnx_attrs.h"
#include "core/onnx_exec/onnx_tensor.h"

namespace pseg {
namespace {

using torch::Tensor;
using Inputs = std::vector<Tensor>;

// ONNX pads are [begins..., ends...]; LibTorch's convolutions and pools take one symmetric pad per axis.
std::vector<int64_t> symmetric_pads(const onnx::NodeProto& n, size_t spatial) {
  const auto pads = attr_ints(n, "pads", std::vector<int64_t>(2 * spatial, 0));
  if (attr_string(n, "auto_pad", "NOTSET") != "NOTSET") fail_node(n, "auto_pad is not supported");
  if (pads.size() != 2 * spatial) fail_node(n, "expected " + std::to_string(2 * spatial) + " pads");
  std::vector<int64_t> out(spatial);
  for (size_t i = 0; i < spatial; ++i) {
    if (pads[i] != pads[i + spatial]) fail_node(n, "asymmetric pads are not supported");
    out[i] = pads[i];
  }
  return out;
}

int64_t axis_of(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

// `axis` of a rank-`rank` value, checked.
int64_t checked_axis(const onnx::NodeProto& n, int64_t axis, int64_t rank) {
  const int64_t a = axis_of(axis, rank);
  if (a < 0 || a >= rank) fail_node(n, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return a;
}

// Scale and zero point shaped to broadcast along `axis` of a rank-`rank` tensor (per-tensor when they are scalars).
std::pair<Tensor, Tensor> quant_params(const onnx::NodeProto& n, const Inputs& in, int64_t rank) {
  Tensor scale = in.at(1).to(torch::kFloat);
  Tensor zero = in.size() > 2 && in[2].defined() ? in[2].to(torch::kFloat) : torch::zeros_like(scale);
  if (scale.numel() > 1) {
    std::vector<int64_t> shape(static_cast<size_t>(rank), 1);
    const int64_t axis = checked_axis(n, attr_int(n, "axis", 1), rank);
    if (in[0].size(axis) != scale.numel()) fail_node(n, "per-axis scale does not match the axis");
    shape[static_cast<size_t>(axis)] = scale.numel();
    scale = scale.reshape(shape);
    zero = zero.reshape(shape);
  }
  return {scale, zero};
}

// Linear resize along one axis under an ONNX coordinate transformation mode (linear_resize_taps).
Tensor resize_axis(const Tensor& x, int64_t dim, double scale, const std::string& mode, const onnx::NodeProto& n) {
  const int64_t in = x.size(dim);
  if (scale == 1.0) return x;
  ResizeTaps taps;
  try {
    taps = linear_resize_taps(in, scale, mode);
  } catch (const std::invalid_argument& e) {
    fail_node(n, e.what());
  }
  const int64_t out = static_cast<int64_t>(taps.w.size());
  if (out < 1) fail_node(n, "scale " + std::to_string(scale) + " leaves no output");
  std::vector<int64_t> wshape(static_cast<size_t>(x.dim()), 1);
  wshape[static_cast<size_t>(dim)] = out;
  const auto on = torch::TensorOptions().device(x.device());
  const Tensor weight = torch::tensor(taps.w, on.dtype(torch::kFloat)).reshape(wshape).to(x.scalar_type());
  const Tensor a = x.index_select(dim, torch::tensor(taps.lo, on.dtype(torch::kLong)));
  const Tensor b = x.index_select(dim, torch::tensor(taps.hi, on.dtype(torch::kLong)));
  return a + (b - a) * weight;
}

using OpFn = std::function<Tensor(const onnx::NodeProto&, const Inputs&)>;

// Internal name of Softmax under opsets before 13 (a different computation under the same op type).
constexpr const char* kSoftmaxFlattened = "Softmax (opset < 13)";

const std::map<std::string, OpFn>& ops() {
  static const std::map<std::string, OpFn> table = {
      {"Add", [](const auto&, const Inputs& in) { return in[0] + in[1]; }},
      {"Sub", [](const auto&, const Inputs& in) { return in[0] - in[1]; }},
      {"Mul", [](const auto&, const Inputs& in) { return in[0] * in[1]; }},
      {"Div", [](const auto&, const Inputs& in) { return in[0] / in[1]; }},
      {"Greater", [](const auto&, const Inputs& in) { return in[0] > in[1]; }},
      {"Relu", [](const auto&, const Inputs& in) { return torch::relu(in[0]); }},
      {"Sigmoid", [](const auto&, const Inputs& in) { return torch::sigmoid(in[0]); }},
      {"Identity", [](const auto&, const Inputs& in) { return in[0]; }},
      {"PRelu", [](const auto&, const Inputs& in) { return torch::where(in[0] >= 0, in[0], in[0] * in[1]); }},
      {"GlobalAveragePool",
       [](const auto&, const Inputs& in) { return in[0].mean({2, 3}, /*keepdim=*/true); }},
      {"Softmax",
       [](const auto& n, const Inputs& in) {
         return torch::softmax(in[0], checked_axis(n, attr_int(n, "axis", -1), in[0].dim()));
       }},
      // Before opset 13 Softmax normalises over all axes from `axis` on (default 1), as one flattened row.
      {kSoftmaxFlattened,
       [](const auto& n, const Inputs& in) {
         const int64_t axis = checked_axis(n, attr_int(n, "axis", 1), in[0].dim());
         const auto sizes = in[0].sizes();
         return torch::softmax(in[0].flatten(axis), axis).reshape(sizes);
       }},
      {"Transpose", [](const auto& n, const Inputs& in) { return in[0].permute(attr_ints(n, "perm")).contiguous(); }},
      {"Concat",
       [](const auto& n, const Inputs& in) { return torch::cat(in, axis_of(attr_int(n, "axis", 0), in[0].dim())); }},
      {"Cast",
       [](const auto& n, const Inputs& in) { return in[0].to(torch_type_of(static_cast<int32_t>(attr_int(n, "to", 1)))); }},
      {"BatchNormalization",
       [](const auto& n, const Inputs& in) {
         return torch::batch_norm(in[0], in[1], in[2], in[3], in[4], false, 0.0, attr_float(n, "epsilon", 1e-5f), false);
       }},
      {"Conv",
       [](const auto& n, const Inputs& in) {
         return torch::conv2d(in[0], in[1], in.size() > 2 ? in[2] : Tensor(), attr_ints(n, "strides", {1, 1}),
                              symmetric_pads(n, 2), attr_ints(n, "dilations", {1, 1}), attr_int(n, "group", 1));
       }},
      {"ConvTranspose",
       [](const auto& n, const Inputs& in) {
         if (find_attr(n, "output_shape")) fail_node(n, "output_shape is not supported (give pads and output_padding)");
         return torch::conv_transpose2d(in[0], in[1], in.size() > 2 ? in[2] : Tensor(), attr_ints(n, "strides", {1, 1}),
                                        symmetric_pads(n, 2), attr_ints(n, "output_padding", {0, 0}),
                                        attr_int(n, "group", 1), attr_ints(n, "dilations", {1, 1}));
       }},
      {"MaxPool",
       [](const auto& n, const Inputs& in) {
         const auto kernel = attr_ints(n, "kernel_shape");
         return torch::max_pool2d(in[0], kernel, attr_ints(n, "strides", {1, 1}), symmetric_pads(n, 2),
                                  attr_ints(n, "dilations", {1, 1}), attr_int(n, "ceil_mode", 0) != 0);
       }},
      {"Pad",
       [](const auto& n, const Inputs& in) {
         const auto pads = in[1].to(torch::kLong);
         const int64_t rank = in[0].dim();
         std::vector<int64_t> torch_pads;  // last axis first: [begin, end] pairs
         for (int64_t d = rank - 1; d >= 0; --d) {
           torch_pads.push_back(pads[d].item<int64_t>());
           torch_pads.push_back(pads[d + rank].item<int64_t>());
         }
         while (torch_pads.size() > 4 && torch_pads[torch_pads.size() - 1] == 0 && torch_pads[torch_pads.size() - 2] == 0)
           torch_pads.resize(torch_pads.size() - 2);
         const std::string mode = attr_string(n, "mode", "constant");
         namespace F = torch::nn::functional;
         if (mode == "constant") {
           const double value = in.size() > 2 && in[2].defined() ? in[2].item<double>() : 0.0;
           return torch::constant_pad_nd(in[0], torch_pads, value);
         }
         if (mode == "edge") return F::pad(in[0], F::PadFuncOptions(torch_pads).mode(torch::kReplicate));
         if (mode == "reflect") return F::pad(in[0], F::PadFuncOptions(torch_pads).mode(torch::kReflect));
         fail_node(n, "mode " + mode + " is not supported");
       }},
      {"Slice",
       [](const auto& n, const Inputs& in) {
         Tensor x = in[0];
         const auto starts = in[1].to(torch::kLong), ends = in[2].to(torch::kLong);
         const int64_t count = starts.numel();
         for (int64_t i = 0; i < count; ++i) {
           const int64_t axis = in.size() > 3 && in[3].defined() ? in[3][i].item<int64_t>() : i;
           const int64_t step = in.size() > 4 && in[4].defined() ? in[4][i].item<int64_t>() : 1;
           if (step < 1) fail_node(n, "only positive steps are supported");
           const int64_t dim = axis_of(axis, x.dim()), size = x.size(dim);
           auto clamp_index = [&](int64_t v) { return std::min(std::max(v < 0 ? v + size : v, int64_t{0}), size); };
           x = x.slice(dim, clamp_index(starts[i].item<int64_t>()), clamp_index(ends[i].item<int64_t>()), step);
         }
         return x;
       }},
      {"Resize",
       [](const auto& n, const Inputs& in) {
         if (attr_string(n, "mode", "nearest") != "linear") fail_node(n, "only linear mode is supported");
         if (in.size() < 3 || !in[2].defined() || in[2].numel() != in[0].dim()) fail_node(n, "needs constant scales");
         const std::string mode = attr_string(n, "coordinate_transformation_mode", "half_pixel");
         const auto scales = in[2].to(torch::kDouble);
         Tensor x = in[0];
         for (int64_t d = 0; d < x.dim(); ++d) x = resize_axis(x, d, scales[d].item<double>(), mode, n);
         return x;
       }},
      {"QuantizeLinear",
       [](const auto& n, const Inputs& in) {
         const auto [scale, zero] = quant_params(n, in, in[0].dim());
         const bool is_signed = in.size() > 2 && in[2].defined() && in[2].scalar_type() == torch::kChar;
         const Tensor q = torch::round(in[0].to(torch::kFloat) / scale) + zero;
         return is_signed ? q.clamp(-128, 127).to(torch::kChar) : q.clamp(0, 255).to(torch::kByte);
       }},
      {"DequantizeLinear",
       [](const auto& n, const Inputs& in) {
         const auto [scale, zero] = quant_params(n, in, in[0].dim());
         return (in[0].to(torch::kFloat) - zero) * scale;
       }},
  };
  return table;
}

// The fewest inputs each op reads (ONNX's required ones); a node with fewer is refused when the graph is loaded.
const std::map<std::string, int>& required_inputs() {
  static const std::map<std::string, int> table = {
      {"Add", 2}, {"Sub", 2}, {"Mul", 2}, {"Div", 2}, {"Greater", 2}, {"PRelu", 2}, {"BatchNormalization", 5},
      {"Conv", 2}, {"ConvTranspose", 2}, {"Pad", 2}, {"Slice", 3}, {"Resize", 3}, {"QuantizeLinear", 2},
      {"DequantizeLinear", 2}};
  return table;
}

// Ops whose float16 inputs are computed in float32 and rounded back: not the type-changing ones.
bool keeps_float16(const std::string& op) {
  return op != "Cast" && op != "QuantizeLinear" && op != "DequantizeLinear" && op != "Greater";
}

}  // namespace

struct OnnxExecutor::Impl {
  std::vector<onnx::NodeProto> nodes;
  std::unordered_map<std::string, Tensor> constants;
  std::string input, output;
};

OnnxExecutor::OnnxExecutor(const onnx::ModelProto& model) : impl_(std::make_unique<Impl>()) {
  const auto& g = model.graph();
  int64_t opset = 13;
  for (const auto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset = o.version();
  for (const auto& init : g.initializer()) impl_->constants[init.name()] = tensor_from_proto(init);
  for (const auto& in : g.input())
    if (!impl_->constants.count(in.name())) {
      if (!impl_->input.empty()) throw std::runtime_error("ONNX graph has more than one input");
      impl_->input = in.name();
    }
  if (impl_->input.empty() || g.output_size() == 0) throw std::runtime_error("ONNX graph has no input or no output");
  impl_->output = g.output(0).name();
  for (const auto& n : g.node()) {
    if (!n.domain().empty() && n.domain() != "ai.onnx") fail_node(n, "domain " + n.domain() + " is not supported");
    if (n.op_type() == "Constant") {
      const auto* value = find_attr(n, "value");
      if (n.output_size() < 1) fail_node(n, "has no output");
      if (!value || !value->has_t()) fail_node(n, "only tensor constants are supported");
      impl_->constants[n.output(0)] = tensor_from_proto(value->t());
      continue;
    }
    onnx::NodeProto node = n;
    if (n.op_type() == "Softmax" && opset < 13) node.set_op_type(kSoftmaxFlattened);
    if (!ops().count(n.op_type()))
      throw std::runtime_error("ONNX op " + n.op_type() + " (node " + n.name() + ") is not supported by the LibTorch executor");
    auto required = required_inputs().find(n.op_type());
    const int needed = required == required_inputs().end() ? 1 : required->second;
    if (n.input_size() < needed || n.output_size() < 1 || n.input(0).empty())
      fail_node(n, "expected at least " + std::to_string(needed) + " inputs and one output");
    impl_->nodes.push_back(std::move(node));
  }
}

OnnxExecutor::~OnnxExecutor() = default;
OnnxExecutor::OnnxExecutor(OnnxExecutor&&) noexcept = default;

const std::string& OnnxExecutor::input_name() const { return impl_->input; }
const std::string& OnnxExecutor::output_name() const { return impl_->output; }

Tensor OnnxExecutor::run(const Tensor& input, const Observer& observe) const {
  torch::NoGradGuard no_grad;
  return execute(input, observe, nullptr);
}

Tensor OnnxExecutor::run_differentiable(const Tensor& input, const Hooks& hooks) const {
  return execute(input, nullptr, &hooks);
}

Tensor OnnxExecutor::execute(const Tensor& input, const Observer& observe, const Hooks* hooks) const {
  // Computed values (and overrides) shadow the constants, which are read in place: no copy per run.
  std::unordered_map<std::string, Tensor> values;
  if (hooks) values = hooks->overrides;
  auto lookup = [&](const std::string& name) -> const Tensor* {
    auto v = values.find(name);
    if (v != values.end()) return &v->second;
    auto c = impl_->constants.find(name);
    return c == impl_->constants.end() ? nullptr : &c->second;
  };
  auto transformed = [&](const std::string& name, Tensor t) {
    return hooks && hooks->transform ? hooks->transform(name, t) : t;
  };
  values[impl_->input] = transformed(impl_->input, input);
  for (const auto& n : impl_->nodes) {
    Inputs in;
    bool half = false;
    for (const auto& name : n.input()) {
      if (name.empty()) {
        in.emplace_back();
        continue;
      }
      const Tensor* t = lookup(name);
      if (!t) fail_node(n, "input " + name + " is not computed before its use");
      // Constants live on the CPU; a graph run on another device reads them there.
      in.push_back(t->device() == input.device() ? *t : t->to(input.device()));
    }
    if (keeps_float16(n.op_type()))
      for (auto& t : in)
        if (t.defined() && t.scalar_type() == torch::kHalf) {
          half = true;
          t = t.to(torch::kFloat);
        }
    Tensor out;
    try {
      out = ops().at(n.op_type())(n, in);
    } catch (const c10::Error& e) {
      fail_node(n, e.what_without_backtrace());
    } catch (const std::logic_error& e) {  // out_of_range, invalid_argument: a malformed node
      fail_node(n, e.what());
    }
    if (half && out.is_floating_point()) out = out.to(torch::kHalf);
    if (observe) observe(n.output(0), out);
    values[n.output(0)] = transformed(n.output(0), out);
  }
  const Tensor* out = lookup(impl_->output);
  if (!out) throw std::runtime_error("ONNX graph output " + impl_->output + " is never computed");
  return *out;
}

}  // namespace pseg
