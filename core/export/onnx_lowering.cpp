#include "core/export/onnx_lowering.h"

#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/torch.h>

#include <climits>
#include <cstring>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "core/onnx_exec/onnx_tensor.h"
#include "nets/conv_bn_fold.h"

namespace pseg {
namespace {

using torch::jit::Node;
using torch::jit::Value;

std::string kind_of(const Node* n) { return n->kind().toQualString(); }

bool is_conv(const Node* n) {
  const std::string k = kind_of(n);
  return k == "aten::_convolution" || k == "aten::convolution" || k == "aten::conv2d" || k == "aten::conv_transpose2d";
}

[[noreturn]] void fail(const Node* n, const std::string& why) {
  throw std::runtime_error("ONNX export: " + kind_of(n) + ": " + why);
}

c10::optional<c10::IValue> constant_of(const Value* v) {
  const Node* n = v->node();
  if (n->kind() == c10::prim::Constant) {
    auto iv = torch::jit::toIValue(v);
    // Scalars the tracer wrapped into 0-dim tensors read as numbers.
    if (iv && iv->isTensor() && iv->toTensor().numel() == 1 && iv->toTensor().dim() == 0) {
      const at::Tensor t = iv->toTensor();
      if (t.is_floating_point()) return c10::IValue(t.item<double>());
      return c10::IValue(t.item<int64_t>());
    }
    return iv;
  }
  if (n->kind() != c10::prim::ListConstruct) return c10::nullopt;
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  for (const Value* in : n->inputs()) {
    auto iv = torch::jit::toIValue(in);
    if (!iv) return c10::nullopt;
    if (iv->isInt()) ints.push_back(iv->toInt());
    else if (iv->isDouble()) doubles.push_back(iv->toDouble());
    else return c10::nullopt;
  }
  if (!doubles.empty() && !ints.empty()) return c10::nullopt;
  if (!doubles.empty()) return c10::IValue(c10::List<double>(doubles));
  return c10::IValue(c10::List<int64_t>(ints));
}

c10::IValue need_constant(const Node* n, size_t i) {
  auto c = constant_of(n->input(i));
  if (!c) fail(n, "argument " + std::to_string(i) + " is not a constant");
  return *c;
}

int64_t int_arg(const Node* n, size_t i) {
  auto c = need_constant(n, i);
  if (!c.isInt()) fail(n, "argument " + std::to_string(i) + " is not an int");
  return c.toInt();
}

bool bool_arg(const Node* n, size_t i) {
  auto c = need_constant(n, i);
  if (c.isBool()) return c.toBool();
  if (c.isInt()) return c.toInt() != 0;
  fail(n, "argument " + std::to_string(i) + " is not a bool");
}

double double_arg(const Node* n, size_t i) {
  auto c = need_constant(n, i);
  if (c.isDouble()) return c.toDouble();
  if (c.isInt()) return static_cast<double>(c.toInt());
  fail(n, "argument " + std::to_string(i) + " is not a number");
}

bool none_arg(const Node* n, size_t i) {
  auto c = constant_of(n->input(i));
  return c && c->isNone();
}

std::vector<int64_t> ints_arg(const Node* n, size_t i) {
  auto c = need_constant(n, i);
  if (c.isIntList()) return c.toIntVector();
  if (c.isInt()) return {c.toInt()};
  fail(n, "argument " + std::to_string(i) + " is not an int list");
}

std::vector<double> doubles_arg(const Node* n, size_t i) {
  auto c = need_constant(n, i);
  if (c.isDoubleList()) return c.toDoubleVector();
  fail(n, "argument " + std::to_string(i) + " is not a float list");
}

std::vector<int64_t> sizes_of(const Value* v) {
  auto t = v->type()->cast<c10::TensorType>();
  if (!t) return {};
  auto s = t->sizes().concrete_sizes();
  return s ? *s : std::vector<int64_t>{};
}

c10::ScalarType dtype_of(const Node* n, const Value* v) {
  auto t = v->type()->cast<c10::TensorType>();
  if (!t || !t->scalarType()) fail(n, "value " + v->debugName() + " has no known element type");
  return *t->scalarType();
}

int64_t rank_of(const Node* n, const Value* v) {
  const auto s = sizes_of(v);
  if (s.empty()) fail(n, "value " + v->debugName() + " has no known shape");
  return static_cast<int64_t>(s.size());
}

int64_t norm_dim(int64_t d, int64_t rank) { return d < 0 ? d + rank : d; }

const Node* producer(const Value* v, const char* kind) {
  return kind_of(v->node()) == kind ? v->node() : nullptr;
}

bool is_constant_equal(const Value* v, double x) {
  auto c = constant_of(v);
  return c && (c->isDouble() || c->isInt()) && (c->isDouble() ? c->toDouble() : c->toInt()) == x;
}

// slice(src, dim, start, end, 1) with the given start and end (end >= INT_MAX means "to the end").
const Value* match_slice(const Value* v, int64_t rank, int64_t dim, int64_t start, int64_t end) {
  const Node* n = producer(v, "aten::slice");
  if (!n) return nullptr;
  auto d = constant_of(n->input(1)), s = constant_of(n->input(2)), e = constant_of(n->input(3)),
       st = constant_of(n->input(4));
  if (!d || !s || !e || !st || !d->isInt() || !st->isInt() || st->toInt() != 1) return nullptr;
  if (norm_dim(d->toInt(), rank) != dim) return nullptr;
  const int64_t s_val = s->isNone() ? 0 : s->toInt();
  const int64_t e_val = e->isNone() ? INT64_MAX : e->toInt();
  if (s_val != start) return nullptr;
  if (end == INT64_MAX ? e_val < INT_MAX : e_val != end) return nullptr;
  return n->input(0);
}

// (a + slice(p, dim, 1, end)) * 0.5 with a = slice(p, dim, 0, -1); returns p.
const Value* match_mid(const Value* mid, const Value* a, int64_t rank, int64_t dim) {
  const Node* mul = producer(mid, "aten::mul");
  if (!mul || !is_constant_equal(mul->input(1), 0.5)) return nullptr;
  const Node* add = producer(mul->input(0), "aten::add");
  if (!add || add->input(0) != a || !is_constant_equal(add->input(2), 1.0)) return nullptr;
  return match_slice(add->input(1), rank, dim, 1, INT64_MAX);
}

// One 2x interleave step of blocks::legacy_bilinear_up2 along `dim`, ending in flatten(stack([a, mid], dim+1)).
// Returns the unpadded input of the step.
const Value* match_interleave(const Value* out, int64_t dim, const std::vector<int64_t>& pads) {
  const Node* flat = producer(out, "aten::flatten");
  if (!flat) return nullptr;
  const Node* stack = producer(flat->input(0), "aten::stack");
  if (!stack) return nullptr;
  const Node* list = producer(stack->input(0), "prim::ListConstruct");
  if (!list || list->inputs().size() != 2) return nullptr;
  auto sd = constant_of(stack->input(1)), f0 = constant_of(flat->input(1)), f1 = constant_of(flat->input(2));
  if (!sd || !f0 || !f1 || !sd->isInt() || !f0->isInt() || !f1->isInt()) return nullptr;
  if (norm_dim(sd->toInt(), 5) != dim + 1 || norm_dim(f0->toInt(), 5) != dim || norm_dim(f1->toInt(), 5) != dim + 1)
    return nullptr;
  const Value* a = list->input(0);
  const Value* padded = match_slice(a, 4, dim, 0, -1);
  if (!padded || match_mid(list->input(1), a, 4, dim) != padded) return nullptr;
  const Node* pad = producer(padded, "aten::replication_pad2d");
  if (!pad) return nullptr;
  auto p = constant_of(pad->input(1));
  if (!p || !p->isIntList() || p->toIntVector() != pads) return nullptr;
  return pad->input(0);
}

// blocks::legacy_bilinear_up2 (pad/average/interleave along W, then H) = Resize linear asymmetric, scale 2.
const Value* match_legacy_bilinear(const Node* root) {
  const Value* xw = match_interleave(root->output(), 2, {0, 0, 0, 1});
  return xw ? match_interleave(xw, 3, {0, 1, 0, 0}) : nullptr;
}

class Lowerer {
 public:
  Lowerer(const TracedNet& traced, const LoweringOptions& options, onnx::GraphProto& graph)
      : traced_(traced), opts_(options), g_(graph) {}

  LoweringStats run() {
    const auto& graph = *traced_.graph;
    if (graph.inputs().size() != 2) throw std::runtime_error("ONNX export: expected a traced graph with one input");
    if (graph.outputs().size() != 1) throw std::runtime_error("ONNX export: expected a traced graph with one output");
    names_[graph.inputs()[1]] = "input";
    plan();
    for (const Node* n : graph.nodes()) {
      if (!is_needed(n)) continue;
      emit(n);
    }
    const Value* out = graph.outputs()[0];
    const std::string produced = name(out);
    if (produced != "output") node("Identity", {produced}, {"output"});
    return stats_;
  }

 private:
  // Backward pass: which values the output needs, which subgraphs fuse into one ONNX op.
  void plan() {
    const auto& graph = *traced_.graph;
    needed_.insert(graph.outputs()[0]);
    std::vector<const Node*> order(graph.nodes().begin(), graph.nodes().end());
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      const Node* n = *it;
      if (!is_needed(n)) continue;
      const std::string k = kind_of(n);
      if (k == "aten::flatten") {
        if (const Value* x = match_legacy_bilinear(n)) {
          legacy_resize_[n] = x;
          needed_.insert(x);
          continue;
        }
      }
      if (k == "aten::batch_norm" && opts_.fold_bn) {
        if (const Node* conv = fold_target(n)) {
          folds_[conv] = bn_fold(n);
          folded_bn_.insert(n);
          needed_.insert(n->input(0));
          continue;
        }
      }
      for (const Value* in : n->inputs()) needed_.insert(in);
    }
  }

  bool is_needed(const Node* n) const {
    for (const Value* o : n->outputs())
      if (needed_.count(o)) return true;
    return false;
  }

  // The convolution a BatchNorm can be folded into: its sole producer, possibly through spatial slices
  // (the TF deconvolution crop), each with no other user.
  const Node* fold_target(const Node* bn) const {
    const Value* v = bn->input(0);
    while (v->uses().size() == 1 && kind_of(v->node()) == "aten::slice") {
      const auto d = constant_of(v->node()->input(1));
      if (!d || !d->isInt() || norm_dim(d->toInt(), 4) < 2) return nullptr;
      v = v->node()->input(0);
    }
    const Node* conv = v->node();
    if (v->uses().size() != 1 || !is_conv(conv) || folds_.count(conv)) return nullptr;
    if (conv->input(1)->node()->kind() != c10::prim::GetAttr) return nullptr;
    return conv;
  }

  BatchNormAffine bn_fold(const Node* bn) const {
    if (bool_arg(bn, 5)) fail(bn, "batch norm in training mode cannot be exported (put the net in eval mode)");
    return batch_norm_affine(none_arg(bn, 1) ? at::Tensor() : attr(bn, 1), none_arg(bn, 2) ? at::Tensor() : attr(bn, 2),
                             attr(bn, 3), attr(bn, 4), double_arg(bn, 7));
  }

  // A parameter or buffer read through prim::GetAttr on the traced module.
  at::Tensor attr(const Node* n, size_t i) const {
    const Node* get = n->input(i)->node();
    if (get->kind() != c10::prim::GetAttr) fail(n, "argument " + std::to_string(i) + " is not a module parameter");
    return traced_.module.attr(get->s(c10::attr::name)).toTensor().detach().to(torch::kCPU);
  }

  std::string fresh(const std::string& base) { return base + "_" + std::to_string(counter_++); }

  std::string name(const Value* v) {
    auto it = names_.find(v);
    if (it != names_.end()) return it->second;
    if (v->node()->kind() == c10::prim::GetAttr) {  // a parameter used as a plain tensor: one initializer each
      const std::string attr_name = v->node()->s(c10::attr::name);
      auto known = attr_initializers_.find(attr_name);
      const std::string n = known != attr_initializers_.end()
                                ? known->second
                                : initializer(attr_name, traced_.module.attr(attr_name).toTensor());
      attr_initializers_[attr_name] = n;
      names_[v] = n;
      return n;
    }
    throw std::runtime_error("ONNX export: value " + v->debugName() + " (from " + kind_of(v->node()) +
                             ") has not been lowered");
  }

  std::string out_name(const Value* v, const std::string& base) {
    const std::string n = v == traced_.graph->outputs()[0] ? "output" : fresh(base);
    names_[v] = n;
    return n;
  }

  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs) {
    auto* n = g_.add_node();
    n->set_op_type(op);
    n->set_name(op + "_" + std::to_string(stats_.nodes++));
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return n;
  }

  static void set_ints(onnx::NodeProto* n, const std::string& key, const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto x : v) a->add_ints(x);
  }
  static void set_int(onnx::NodeProto* n, const std::string& key, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void set_float(onnx::NodeProto* n, const std::string& key, float v) {
    auto* a = n->add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void set_string(onnx::NodeProto* n, const std::string& key, const std::string& v) {
    auto* a = n->add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }

  // A tensor initializer (any dtype), unique name derived from `base`.
  std::string initializer(const std::string& base, const at::Tensor& t) {
    const std::string n = used_names_.count(base) ? fresh(base) : base;
    used_names_.insert(n);
    auto* init = g_.add_initializer();
    init->set_name(n);
    tensor_to_proto(t, *init);
    return n;
  }

  std::string int64s(const std::string& base, const std::vector<int64_t>& v) {
    return initializer(base, torch::tensor(v, torch::kLong));
  }
  std::string floats(const std::string& base, const std::vector<float>& v) {
    return initializer(base, torch::tensor(v, torch::kFloat));
  }
  // A one-element constant of element type `t` for broadcasting against a tensor of that type.
  std::string scalar(const std::string& base, double x, c10::ScalarType t) {
    return initializer(base, torch::full({1}, x, torch::TensorOptions().dtype(t)));
  }

  void alias(const Node* n, const Value* from) { names_[n->output()] = name(from); }

  void emit(const Node* n) {
    const std::string k = kind_of(n);
    if (n->kind() == c10::prim::Constant || n->kind() == c10::prim::GetAttr || n->kind() == c10::prim::ListConstruct)
      return;  // read directly by their users
    if (legacy_resize_.count(n)) return emit_resize(n, legacy_resize_.at(n), "asymmetric", {2.0, 2.0});
    if (folded_bn_.count(n)) return alias(n, n->input(0));
    if (is_conv(n)) return emit_conv(n);
    if (k == "aten::batch_norm") return emit_batch_norm(n);
    if (k == "aten::relu" || k == "aten::relu_") return unary(n, "Relu");
    if (k == "aten::sigmoid") return unary(n, "Sigmoid");
    if (k == "aten::prelu") return emit_prelu(n);
    if (k == "aten::add") return binary(n, "Add", true);
    if (k == "aten::sub") return binary(n, "Sub", true);
    if (k == "aten::mul") return binary(n, "Mul", false);
    if (k == "aten::div") return binary(n, "Div", false);
    if (k == "aten::gt") return binary(n, "Greater", false);
    if (k == "aten::to") return emit_cast(n);
    if (k == "aten::cat") return emit_cat(n);
    if (k == "aten::slice") return emit_slice(n);
    if (k == "aten::constant_pad_nd") return emit_pad(n, "constant");
    if (k == "aten::replication_pad2d") return emit_pad(n, "edge");
    if (k == "aten::max_pool2d") return emit_max_pool(n);
    if (k == "aten::adaptive_avg_pool2d") {
      if (ints_arg(n, 1) != std::vector<int64_t>{1, 1}) fail(n, "only a global (1x1) adaptive average pool is supported");
      return unary(n, "GlobalAveragePool");
    }
    if (k == "aten::upsample_bilinear2d") return emit_upsample(n);
    if (k == "aten::softmax") return emit_softmax(n);
    if (k == "aten::dropout" || k == "aten::feature_dropout") {
      if (bool_arg(n, 2)) fail(n, "dropout in training mode cannot be exported (put the net in eval mode)");
      return alias(n, n->input(0));
    }
    if (k == "aten::contiguous" || k == "aten::detach") return alias(n, n->input(0));
    fail(n, "no ONNX lowering for this op (node " + n->output(0)->debugName() + ")");
  }

  void unary(const Node* n, const std::string& op) {
    node(op, {name(n->input(0))}, {out_name(n->output(), op)});
  }

  // Tensor-tensor or tensor-scalar element-wise op; add/sub carry an alpha that must be 1.
  void binary(const Node* n, const std::string& op, bool has_alpha) {
    if (has_alpha && (n->inputs().size() < 3 || !is_constant_equal(n->input(2), 1.0)))
      fail(n, "only alpha = 1 is supported");
    auto constant = constant_of(n->input(1));
    const bool is_scalar = constant && (constant->isDouble() || constant->isInt());
    const std::string rhs = is_scalar ? scalar(op + "_const", double_arg(n, 1), dtype_of(n, n->input(0)))
                                      : name(n->input(1));
    node(op, {name(n->input(0)), rhs}, {out_name(n->output(), op)});
  }

  void emit_cast(const Node* n) {
    auto* c = node("Cast", {name(n->input(0))}, {out_name(n->output(), "Cast")});
    set_int(c, "to", onnx_elem_type(dtype_of(n, n->output())));
  }

  void emit_conv(const Node* n) {
    const std::string k = kind_of(n);
    std::vector<int64_t> stride, padding, dilation, output_padding{0, 0};
    bool transposed = false;
    int64_t groups = 1;
    if (k == "aten::conv2d") {
      stride = ints_arg(n, 3), padding = ints_arg(n, 4), dilation = ints_arg(n, 5), groups = int_arg(n, 6);
    } else if (k == "aten::conv_transpose2d") {
      transposed = true;
      stride = ints_arg(n, 3), padding = ints_arg(n, 4), output_padding = ints_arg(n, 5), groups = int_arg(n, 6);
      dilation = ints_arg(n, 7);
    } else {  // aten::_convolution / aten::convolution
      stride = ints_arg(n, 3), padding = ints_arg(n, 4), dilation = ints_arg(n, 5), transposed = bool_arg(n, 6);
      output_padding = ints_arg(n, 7), groups = int_arg(n, 8);
    }
    if (padding.size() == 1) padding = {padding[0], padding[0]};
    if (stride.size() == 1) stride = {stride[0], stride[0]};
    if (dilation.size() == 1) dilation = {dilation[0], dilation[0]};
    if (output_padding.size() == 1) output_padding = {output_padding[0], output_padding[0]};
    if (stride.size() != 2) fail(n, "only 2-D convolutions are supported");

    const std::string x = name(n->input(0));
    std::string w, b;
    const bool has_bias = !none_arg(n, 2);
    auto fold = folds_.find(n);
    if (fold == folds_.end()) {
      w = name(n->input(1));
      if (has_bias) b = name(n->input(2));
    } else {
      const FoldedConv f =
          fold_into_conv(attr(n, 1), has_bias ? attr(n, 2) : at::Tensor(), fold->second, transposed, groups);
      w = initializer(n->input(1)->node()->s(c10::attr::name) + "_bnfolded", f.weight.to(torch::kFloat));
      b = initializer(n->input(1)->node()->s(c10::attr::name) + "_bnfolded_bias", f.bias.to(torch::kFloat));
      ++stats_.bn_folded;
    }
    std::vector<std::string> inputs{x, w};
    if (!b.empty()) inputs.push_back(b);
    const std::string op = transposed ? "ConvTranspose" : "Conv";
    auto* c = node(op, inputs, {out_name(n->output(), op)});
    const auto ws = sizes_of(n->input(1)).empty() ? attr(n, 1).sizes().vec() : sizes_of(n->input(1));
    set_ints(c, "kernel_shape", {ws[2], ws[3]});
    set_ints(c, "strides", stride);
    set_ints(c, "pads", {padding[0], padding[1], padding[0], padding[1]});
    set_ints(c, "dilations", dilation);
    set_int(c, "group", groups);
    if (transposed && (output_padding[0] != 0 || output_padding[1] != 0)) set_ints(c, "output_padding", output_padding);
  }

  void emit_batch_norm(const Node* n) {
    if (bool_arg(n, 5)) fail(n, "batch norm in training mode cannot be exported (put the net in eval mode)");
    const at::Tensor mean = attr(n, 3);
    const std::string gamma = none_arg(n, 1) ? initializer("bn_gamma", torch::ones_like(mean)) : name(n->input(1));
    const std::string beta = none_arg(n, 2) ? initializer("bn_beta", torch::zeros_like(mean)) : name(n->input(2));
    auto* bn = node("BatchNormalization", {name(n->input(0)), gamma, beta, name(n->input(3)), name(n->input(4))},
                    {out_name(n->output(), "BatchNormalization")});
    set_float(bn, "epsilon", static_cast<float>(double_arg(n, 7)));
    ++stats_.bn_kept;
  }

  void emit_prelu(const Node* n) {
    const at::Tensor slope = attr(n, 1);
    const std::string base = n->input(1)->node()->s(c10::attr::name) + "_c11";
    const std::string s = initializer(base, slope.reshape({slope.numel(), 1, 1}));
    node("PRelu", {name(n->input(0)), s}, {out_name(n->output(), "PRelu")});
  }

  void emit_cat(const Node* n) {
    const Node* list = n->input(0)->node();
    if (list->kind() != c10::prim::ListConstruct) fail(n, "inputs are not a list construct");
    std::vector<std::string> inputs;
    for (const Value* v : list->inputs()) inputs.push_back(name(v));
    auto* c = node("Concat", inputs, {out_name(n->output(), "Concat")});
    set_int(c, "axis", norm_dim(int_arg(n, 1), rank_of(n, n->output())));
  }

  void emit_slice(const Node* n) {
    const auto in_sizes = sizes_of(n->input(0));
    if (in_sizes.empty()) fail(n, "input shape unknown");
    const int64_t rank = static_cast<int64_t>(in_sizes.size());
    const int64_t dim = norm_dim(int_arg(n, 1), rank);
    int64_t start = none_arg(n, 2) ? 0 : int_arg(n, 2);
    int64_t end = none_arg(n, 3) ? INT64_MAX : int_arg(n, 3);
    const int64_t step = int_arg(n, 4);
    if (step < 1) fail(n, "only positive steps are supported");
    // Open ends as the dimension size: OpenCV 4.6 reads ends as int32.
    const int64_t size = in_sizes[static_cast<size_t>(dim)];
    if (end > size) end = size;
    if (start > size) start = size;
    node("Slice",
         {name(n->input(0)), int64s("slice_starts", {start}), int64s("slice_ends", {end}), int64s("slice_axes", {dim}),
          int64s("slice_steps", {step})},
         {out_name(n->output(), "Slice")});
  }

  // torch pads list last-dim pairs first: [left, right, top, bottom, ...]; ONNX wants all begins then all ends.
  void emit_pad(const Node* n, const std::string& mode) {
    const int64_t rank = rank_of(n, n->input(0));
    const auto pad = ints_arg(n, 1);
    std::vector<int64_t> onnx_pads(static_cast<size_t>(2 * rank), 0);
    for (size_t i = 0; i * 2 + 1 < pad.size(); ++i) {
      const int64_t d = rank - 1 - static_cast<int64_t>(i);
      if (pad[2 * i] < 0 || pad[2 * i + 1] < 0) fail(n, "negative padding is not supported");
      onnx_pads[static_cast<size_t>(d)] = pad[2 * i];
      onnx_pads[static_cast<size_t>(d + rank)] = pad[2 * i + 1];
    }
    std::vector<std::string> inputs{name(n->input(0)), int64s("pads", onnx_pads)};
    if (mode == "constant") {
      const double value = double_arg(n, 2);
      if (value != 0.0) inputs.push_back(scalar("pad_value", value, dtype_of(n, n->input(0))));
    }
    auto* p = node("Pad", inputs, {out_name(n->output(), "Pad")});
    set_string(p, "mode", mode);
  }

  void emit_max_pool(const Node* n) {
    const auto kernel = ints_arg(n, 1);
    auto stride = ints_arg(n, 2);
    auto padding = ints_arg(n, 3);
    const auto dilation = ints_arg(n, 4);
    const bool ceil = bool_arg(n, 5);
    auto two = [](std::vector<int64_t> v) { return v.size() == 1 ? std::vector<int64_t>{v[0], v[0]} : v; };
    if (stride.empty()) stride = kernel;
    for (auto d : dilation)
      if (d != 1) fail(n, "dilated max pooling is not supported");
    padding = two(padding);
    auto* p = node("MaxPool", {name(n->input(0))}, {out_name(n->output(), "MaxPool")});
    set_ints(p, "kernel_shape", two(kernel));
    set_ints(p, "strides", two(stride));
    set_ints(p, "pads", {padding[0], padding[1], padding[0], padding[1]});
    if (ceil) set_int(p, "ceil_mode", 1);
  }

  void emit_upsample(const Node* n) {
    const bool align_corners = bool_arg(n, 2);
    std::vector<double> scales;
    if (!none_arg(n, 3)) {
      scales = doubles_arg(n, 3);
    } else {
      const auto in = sizes_of(n->input(0)), out = sizes_of(n->output());
      if (in.size() != 4 || out.size() != 4) fail(n, "shapes unknown");
      scales = {static_cast<double>(out[2]) / in[2], static_cast<double>(out[3]) / in[3]};
    }
    emit_resize(n, n->input(0), align_corners ? "align_corners" : "pytorch_half_pixel", scales);
  }

  // Resize by constant scales: keeps a dynamic batch working (export.md §3.4).
  void emit_resize(const Node* n, const Value* x, const std::string& mode, const std::vector<double>& hw_scales) {
    std::vector<std::string> inputs{name(x)};
    const std::string scales = floats("resize_scales", {1.f, 1.f, static_cast<float>(hw_scales.at(0)),
                                                        static_cast<float>(hw_scales.at(1))});
    if (opts_.opset < 13) {
      inputs.push_back(floats("resize_roi", {}));
    } else {
      inputs.push_back("");
    }
    inputs.push_back(scales);
    auto* r = node("Resize", inputs, {out_name(n->output(), "Resize")});
    set_string(r, "mode", "linear");
    set_string(r, "coordinate_transformation_mode", mode);
  }

  void emit_softmax(const Node* n) {
    const int64_t rank = rank_of(n, n->input(0));
    const int64_t dim = norm_dim(int_arg(n, 1), rank);
    if (!none_arg(n, 2)) fail(n, "a dtype argument is not supported");
    if (opts_.opset >= 13 || dim == rank - 1) {
      auto* s = node("Softmax", {name(n->input(0))}, {out_name(n->output(), "Softmax")});
      set_int(s, "axis", dim);
      return;
    }
    // Before opset 13 Softmax flattens all trailing dims: move `dim` last, softmax, move it back.
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < rank; ++i)
      if (i != dim) perm.push_back(i);
    perm.push_back(dim);
    std::vector<int64_t> inverse(static_cast<size_t>(rank));
    for (int64_t i = 0; i < rank; ++i) inverse[static_cast<size_t>(perm[static_cast<size_t>(i)])] = i;
    const std::string t1 = fresh("Transpose"), sm = fresh("Softmax");
    set_ints(node("Transpose", {name(n->input(0))}, {t1}), "perm", perm);
    set_int(node("Softmax", {t1}, {sm}), "axis", rank - 1);
    set_ints(node("Transpose", {sm}, {out_name(n->output(), "Transpose")}), "perm", inverse);
  }

  const TracedNet& traced_;
  LoweringOptions opts_;
  onnx::GraphProto& g_;
  LoweringStats stats_;
  int64_t counter_ = 0;
  std::unordered_map<const Value*, std::string> names_;
  std::unordered_set<std::string> used_names_;
  std::unordered_map<std::string, std::string> attr_initializers_;
  std::unordered_set<const Value*> needed_;
  std::unordered_map<const Node*, const Value*> legacy_resize_;
  std::unordered_map<const Node*, BatchNormAffine> folds_;  // float64 per output channel
  std::unordered_set<const Node*> folded_bn_;
};

}  // namespace

LoweringStats lower_traced_graph(const TracedNet& traced, const LoweringOptions& options, onnx::GraphProto& graph) {
  return Lowerer(traced, options, graph).run();
}

}  // namespace pseg
