#include "core/import/import_tflite.h"

#include <torch/torch.h>

#include <cstring>
#include <map>
#include <set>
#include <stdexcept>

#include "core/import/importer_registry.h"
#include "core/import/tflite_model.h"
#include "core/import/weight_mapper.h"

namespace pseg {
namespace {

// The float value of a constant in its stored layout: float32 as is, float16 widened, quantised integers
// dequantised as scale[c] * (q - zero_point[c]), 0 wherever q == zero_point (some converters write +inf or
// denormal scales for all-zero channels: tflite.md §6).
torch::Tensor decode(const TfliteTensor& t, const std::string& what) {
  torch::Tensor raw;
  const auto from = [&](torch::ScalarType type) {
    return torch::from_blob(const_cast<uint8_t*>(t.data.data()), t.shape, type).clone();
  };
  switch (static_cast<TfliteType>(t.type)) {
    case TfliteType::Float32: raw = from(torch::kFloat); break;
    case TfliteType::Float16: raw = from(torch::kHalf).to(torch::kFloat); break;
    case TfliteType::Int8: raw = from(torch::kChar); break;
    case TfliteType::UInt8: raw = from(torch::kByte); break;
    case TfliteType::Int32: raw = from(torch::kInt); break;
    default: throw std::runtime_error(what + ": tensor type " + std::to_string(t.type) + " cannot be a weight");
  }
  if (t.scales.empty()) {
    if (!raw.is_floating_point())
      throw std::runtime_error(what + ": integer tensor without quantisation parameters cannot be a weight");
    return raw;
  }
  const int64_t n = static_cast<int64_t>(t.scales.size());
  const int64_t dim = t.quantized_dimension;
  if (t.zero_points.size() != t.scales.size() ||
      (n > 1 && (dim < 0 || dim >= raw.dim() || raw.size(dim) != n)))
    throw std::runtime_error(what + ": " + std::to_string(n) + " quantisation scales do not fit its shape");
  std::vector<int64_t> axis_shape(static_cast<size_t>(raw.dim()), 1);
  if (n > 1) axis_shape[static_cast<size_t>(dim)] = n;
  const torch::Tensor scale = torch::tensor(t.scales, torch::kFloat).reshape(axis_shape);
  const torch::Tensor zero = torch::tensor(t.zero_points, torch::kLong).reshape(axis_shape);
  const torch::Tensor q = raw.to(torch::kLong) - zero;
  return torch::where(q == 0, torch::zeros({}, torch::kFloat), q.to(torch::kFloat) * scale);
}

class OpReader {
 public:
  OpReader(std::string path, const TfliteModel& model) : path_(std::move(path)), model_(model) {
    for (const TfliteOp& op : model_.ops)
      for (int32_t out : op.outputs)
        if (out >= 0) producer_[out] = &op;
  }

  // The weighted ops in execution order, and for each the weighted ops it depends on (indices into the result).
  std::vector<SourceOp> weighted_ops(std::vector<std::vector<size_t>>& depends_on) {
    std::vector<SourceOp> ops;
    for (const TfliteOp& op : model_.ops) {
      const size_t before = ops.size();
      switch (op.code) {
        case tflite_op::kConv2d: ops.push_back(conv(op, false)); break;
        case tflite_op::kDepthwiseConv2d: ops.push_back(conv(op, true)); break;
        case tflite_op::kTransposeConv: ops.push_back(transposed_conv(op)); break;
        case tflite_op::kPrelu: ops.push_back(prelu(op)); break;
        case tflite_op::kAdd: check_add(op); break;
        default: check_weightless(op); break;
      }
      if (ops.size() > before) weighted_index_[op.index] = before;
    }
    for (const TfliteOp& op : model_.ops) {
      const auto it = weighted_index_.find(op.index);
      if (it == weighted_index_.end()) continue;
      std::set<size_t> deps;
      for (int32_t in : op.inputs) weighted_ancestors(in, deps);
      depends_on.emplace_back(deps.begin(), deps.end());
    }
    return ops;
  }

 private:
  std::string label(const TfliteOp& op) const {
    const int32_t out = op.outputs.empty() ? -1 : op.outputs[0];
    return tflite_op_name(op.code) + " op " + std::to_string(op.index + 1) + " (output \"" +
           (out >= 0 ? model_.tensors[out].name : std::string("?")) + "\")";
  }

  // Input `i` of `op` as a float constant in stored layout, through a DEQUANTIZE of a constant if need be.
  bool has_constant(const TfliteOp& op, size_t i) const {
    if (i >= op.inputs.size() || op.inputs[i] < 0) return false;
    return source_of(op.inputs[i]) >= 0;
  }
  int32_t source_of(int32_t tensor) const {
    if (model_.tensors[tensor].constant()) return tensor;
    const auto it = producer_.find(tensor);
    if (it != producer_.end() && it->second->code == tflite_op::kDequantize && !it->second->inputs.empty() &&
        it->second->inputs[0] >= 0 && model_.tensors[it->second->inputs[0]].constant())
      return it->second->inputs[0];
    return -1;
  }
  torch::Tensor constant(const TfliteOp& op, size_t i, SourceOp& s) {
    if (!has_constant(op, i))
      throw std::invalid_argument(path_ + ": " + label(op) + ": input " + std::to_string(i) +
                                  " is not a constant; only constant weights can be imported");
    const TfliteTensor& t = model_.tensors[source_of(op.inputs[i])];
    s.input_labels.push_back("input " + std::to_string(i) + " \"" + t.name + "\"");
    return decode(t, path_ + ": " + label(op) + " tensor \"" + t.name + "\"");
  }

  SourceOp conv(const TfliteOp& op, bool depthwise) {
    SourceOp s;
    s.kind = "Conv";
    s.label = label(op);
    const torch::Tensor w = constant(op, 1, s);
    if (w.dim() != 4) throw std::invalid_argument(path_ + ": " + s.label + ": weight is not 4-D");
    // [O,kh,kw,I] -> [O,I,kh,kw]; depthwise [1,kh,kw,C*M] -> [C*M,1,kh,kw].
    s.inputs.push_back(depthwise ? w.permute({3, 0, 1, 2}).contiguous() : w.permute({0, 3, 1, 2}).contiguous());
    if (has_constant(op, 2)) s.inputs.push_back(constant(op, 2, s));
    s.strides = {op.stride_h, op.stride_w};
    s.dilations = {op.dilation_h, op.dilation_w};
    if (depthwise) {
      const auto& x = model_.tensors[op.inputs.at(0)].shape;
      s.groups = x.size() == 4 ? x[3] : w.size(3) / std::max<int64_t>(1, op.depth_multiplier);
    }
    return s;
  }

  SourceOp transposed_conv(const TfliteOp& op) {
    SourceOp s;
    s.kind = "ConvTranspose";
    s.label = label(op);
    const torch::Tensor w = constant(op, 1, s);  // input 0 is the output shape, 2 the activation
    if (w.dim() != 4) throw std::invalid_argument(path_ + ": " + s.label + ": weight is not 4-D");
    s.inputs.push_back(w.permute({3, 0, 1, 2}).contiguous());  // [O,kh,kw,I] -> [I,O,kh,kw], no flip
    s.strides = {op.stride_h, op.stride_w};
    if (has_constant(op, 3)) {
      s.inputs.push_back(constant(op, 3, s));
    } else if (const TfliteOp* add = bias_add(op)) {
      const size_t k = add->inputs[0] == op.outputs[0] ? 1 : 0;
      s.inputs.push_back(constant(*add, k, s));
      bias_adds_.insert(add->index);
    }
    return s;
  }

  // The nearest weighted ops upstream of `tensor` (through any unweighted ops), memoised per tensor.
  void weighted_ancestors(int32_t tensor, std::set<size_t>& out) {
    if (tensor < 0) return;
    const auto memo = ancestors_.find(tensor);
    if (memo != ancestors_.end()) {
      out.insert(memo->second.begin(), memo->second.end());
      return;
    }
    std::set<size_t> found;
    const auto it = producer_.find(tensor);
    if (it != producer_.end()) {
      const auto weighted = weighted_index_.find(it->second->index);
      if (weighted != weighted_index_.end()) {
        found.insert(weighted->second);
      } else {
        ancestors_[tensor] = {};  // cycles cannot occur in a valid file; this also stops a corrupt one
        for (int32_t in : it->second->inputs) weighted_ancestors(in, found);
      }
    }
    out.insert(found.begin(), found.end());
    ancestors_[tensor] = std::move(found);
  }

  // The ADD right after a transposed convolution that adds a constant to its output: that layer's bias.
  const TfliteOp* bias_add(const TfliteOp& op) const {
    if (op.outputs.empty()) return nullptr;
    for (const TfliteOp& other : model_.ops) {
      if (other.code != tflite_op::kAdd || other.inputs.size() != 2) continue;
      for (size_t k = 0; k < 2; ++k)
        if (other.inputs[k] == op.outputs[0] && has_constant(other, 1 - k)) return &other;
    }
    return nullptr;
  }

  // Activations, pooling, resizes, reshapes, padding, slicing, (de)quantisation: ops without weights. Any other op is
  // refused, so that no weight of the file is silently left behind.
  void check_weightless(const TfliteOp& op) const {
    // AVERAGE_POOL_2D .. QUANTIZE (tflite.md §3.2).
    static const std::set<int> weightless = {1, 2, 6, 14, 17, 19, 21, 22, 23, 25, 34, 45, 114};
    if (weightless.count(op.code)) return;
    std::string known;
    for (int code : {tflite_op::kConv2d, tflite_op::kDepthwiseConv2d, tflite_op::kTransposeConv, tflite_op::kPrelu,
                     tflite_op::kAdd})
      known += (known.empty() ? "" : ", ") + tflite_op_name(code);
    for (int code : weightless) known += ", " + tflite_op_name(code);
    throw std::invalid_argument(path_ + ": " + label(op) + " is not supported by the TFLite importer (it reads " +
                                known + ")");
  }

  // Any other ADD of a constant would be a weight this importer has no place for.
  void check_add(const TfliteOp& op) const {
    if (bias_adds_.count(op.index)) return;
    for (size_t k = 0; k < op.inputs.size(); ++k)
      if (has_constant(op, k))
        throw std::invalid_argument(path_ + ": " + label(op) + " adds a constant that is not a transposed "
                                    "convolution's bias; the importer has no place for it");
  }

  SourceOp prelu(const TfliteOp& op) {
    SourceOp s;
    s.kind = "PRelu";
    s.label = label(op);
    s.inputs.push_back(constant(op, 1, s).flatten());
    return s;
  }

  std::string path_;
  const TfliteModel& model_;
  std::map<int32_t, const TfliteOp*> producer_;
  std::set<int> bias_adds_;  // ADD ops taken as transposed-convolution biases
  std::map<int, size_t> weighted_index_;  // TFLite op index -> position among the weighted ops
  std::map<int32_t, std::set<size_t>> ancestors_;
};

}  // namespace

ImportStats import_tflite_weights(const std::string& path, SegNetImpl& net) {
  const TfliteModel model = read_tflite(path);
  std::vector<std::vector<size_t>> depends_on;
  std::vector<SourceOp> ops = OpReader(path, model).weighted_ops(depends_on);
  if (ops.empty()) throw std::runtime_error(path + ": the TFLite graph has no convolution or PRELU ops");
  // Converters run independent branches in any order; the net's module order is one topological order.
  return map_weighted_ops(path, align_to_net(std::move(ops), depends_on, net), net);
}

ImporterEntry tflite_importer() {
  return {"tflite", "weights of a TFLite model: float32, float16 or int8 weights (e.g. the reference project's)",
          {".tflite"}, import_tflite_weights};
}

}  // namespace pseg
