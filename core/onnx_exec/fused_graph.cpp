#include "core/onnx_exec/fused_graph.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <stdexcept>
#include <unordered_set>

#include "core/onnx_exec/onnx_attrs.h"

namespace pseg {
namespace {

using Dims = std::vector<int64_t>;

// The largest value the engine allocates (4 GB of floats): a file claiming more is refused, not attempted.
constexpr int64_t kMaxElements = int64_t{1} << 30;

// The number of elements of `dims`; throws std::runtime_error naming `what` for a negative dimension or more than
// kMaxElements.
int64_t element_count(const std::vector<int64_t>& dims, const std::string& what) {
  int64_t count = 1;
  for (int64_t d : dims) {
    if (d < 0) throw std::runtime_error(what + " has a negative dimension");
    if (d > kMaxElements || (count *= d) > kMaxElements) throw std::runtime_error(what + " exceeds 2^30 values");
  }
  return count;
}

GraphConstant read_constant(const onnx::TensorProto& t) {
  GraphConstant c;
  c.dims.assign(t.dims().begin(), t.dims().end());
  const int64_t count = element_count(c.dims, "ONNX initializer " + t.name());
  const std::string& raw = t.raw_data();
  auto from_raw = [&](auto& out, size_t element_size) {
    using T = typename std::decay_t<decltype(out)>::value_type;
    if (raw.size() != static_cast<size_t>(count) * element_size)
      throw std::runtime_error("ONNX initializer " + t.name() + ": raw data does not match its dimensions");
    out.resize(static_cast<size_t>(count));
    std::memcpy(out.data(), raw.data(), raw.size());
    static_assert(sizeof(T) == 4 || sizeof(T) == 8, "float, int32 or int64");
  };
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (!raw.empty()) from_raw(c.floats, 4);
      else c.floats.assign(t.float_data().begin(), t.float_data().end());
      if (c.floats.size() != static_cast<size_t>(count))
        throw std::runtime_error("ONNX initializer " + t.name() + ": data does not match its dimensions");
      break;
    case onnx::TensorProto::INT64:
      if (!raw.empty()) from_raw(c.ints, 8);
      else c.ints.assign(t.int64_data().begin(), t.int64_data().end());
      break;
    case onnx::TensorProto::INT32: {
      std::vector<int32_t> v;
      if (!raw.empty()) {
        v.resize(static_cast<size_t>(count));
        if (raw.size() != v.size() * 4)
          throw std::runtime_error("ONNX initializer " + t.name() + ": raw data does not match its dimensions");
        std::memcpy(v.data(), raw.data(), raw.size());
      } else {
        v.assign(t.int32_data().begin(), t.int32_data().end());
      }
      c.ints.assign(v.begin(), v.end());
      break;
    }
    default:
      break;  // other types (float16, int8 of reduced-precision files) are refused where a node reads them
  }
  return c;
}

// The fewest inputs each op reads (ONNX's required ones); 1 for the others.
const std::map<std::string, int> kRequiredInputs = {{"Conv", 2},  {"ConvTranspose", 2}, {"Pad", 2}, {"Slice", 3},
                                                    {"Resize", 3}, {"PRelu", 2},        {"Add", 2}, {"Sub", 2},
                                                    {"Mul", 2}};

bool is_elementwise(const std::string& op) {
  return op == "Relu" || op == "Clip" || op == "Sigmoid" || op == "PRelu" || op == "Add" || op == "Sub" ||
         op == "Mul";
}

class GraphBuilder {
 public:
  explicit GraphBuilder(const onnx::ModelProto& model) {
    const auto& g = model.graph();
    for (const auto& init : g.initializer()) out_.constants[init.name()] = read_constant(init);
    for (const auto& in : g.input()) {
      if (out_.constants.count(in.name())) continue;
      if (!out_.input.empty()) throw std::runtime_error("ONNX graph has more than one input");
      out_.input = in.name();
      Dims d;
      const auto& type = in.type().tensor_type();
      if (!type.has_shape()) throw std::runtime_error("ONNX graph input " + in.name() + " has dynamic dimensions");
      for (const auto& dim : type.shape().dim()) {
        if (!dim.has_dim_value() || dim.dim_value() < 1)
          throw std::runtime_error("ONNX graph input " + in.name() + " has dynamic dimensions");
        d.push_back(dim.dim_value());
      }
      if (d.size() != 4) throw std::runtime_error("ONNX graph input " + in.name() + " is not 4-D (N, C, H, W)");
      element_count(d, "ONNX graph input " + in.name());
      out_.dims[in.name()] = d;
    }
    if (out_.input.empty()) throw std::runtime_error("ONNX graph has no input");
    if (g.output_size() < 1) throw std::runtime_error("ONNX graph has no output");
    out_.output = g.output(0).name();
    int64_t opset = 13;
    for (const auto& o : model.opset_import())
      if (o.domain().empty() || o.domain() == "ai.onnx") opset = o.version();
    for (const auto& n : g.node()) {
      if (!n.domain().empty() && n.domain() != "ai.onnx") fail_node(n, "ops of domain " + n.domain() + " are not supported");
      if (n.output_size() < 1) fail_node(n, "has no output");
      if (n.op_type() == "Constant") {
        const auto* value = find_attr(n, "value");
        if (!value || !value->has_t()) fail_node(n, "only tensor constants are supported");
        out_.constants[n.output(0)] = read_constant(value->t());
        continue;
      }
      // Before opset 13 Softmax normalises over all axes from `axis` on, a different computation.
      if (n.op_type() == "Softmax" && opset < 13) fail_node(n, "Softmax before opset 13 is not supported");
      const auto need = kRequiredInputs.find(n.op_type());
      const int required = need == kRequiredInputs.end() ? 1 : need->second;
      if (n.input_size() < required) fail_node(n, "expected at least " + std::to_string(required) + " inputs");
      FusedNode f;
      f.proto = n;
      f.inputs.assign(n.input().begin(), n.input().end());
      f.output = n.output(0);
      out_.nodes.push_back(std::move(f));
    }
    if (!out_.dims.count(out_.output) && std::none_of(out_.nodes.begin(), out_.nodes.end(),
                                                      [&](const FusedNode& n) { return n.output == out_.output; }))
      throw std::runtime_error("ONNX graph output " + out_.output + " is computed by no node");
  }

  FusedGraph build() {
    clip_relu6();
    remove_dead();
    for (auto& n : out_.nodes) infer(n);
    fold_pads();
    fold_crops();
    fuse_epilogues();
    split_replicated_concats();
    return std::move(out_);
  }

 private:
  FusedGraph out_;

  bool is_constant(const std::string& name) const { return out_.constants.count(name) > 0; }
  const GraphConstant& constant(const FusedNode& n, size_t input) const {
    if (input >= n.inputs.size() || !is_constant(n.inputs[input]))
      fail_node(n.proto, "input " + std::to_string(input) + " must be a constant");
    return out_.constants.at(n.inputs[input]);
  }
  const Dims& dims_of(const FusedNode& n, const std::string& name) const {
    const auto it = out_.dims.find(name);
    if (it != out_.dims.end()) return it->second;
    const auto c = out_.constants.find(name);
    if (c != out_.constants.end()) return c->second.dims;
    fail_node(n.proto, "reads " + name + ", which no earlier node computes");
  }

  // Index of the node computing `name`, or -1 for the graph input and constants.
  int producer(const std::string& name) const {
    for (size_t i = 0; i < out_.nodes.size(); ++i)
      if (out_.nodes[i].output == name) return static_cast<int>(i);
    return -1;
  }
  // The nodes reading `name`: as an input, or as an epilogue's operand.
  std::vector<size_t> consumers(const std::string& name) const {
    std::vector<size_t> out;
    for (size_t i = 0; i < out_.nodes.size(); ++i) {
      const auto& n = out_.nodes[i];
      const bool reads = std::find(n.inputs.begin(), n.inputs.end(), name) != n.inputs.end() ||
                         std::any_of(n.epilogue.begin(), n.epilogue.end(), [&](const Epilogue& e) { return e.operand == name; });
      if (reads) out.push_back(i);
    }
    return out;
  }
  // Whether `name` is read by exactly node `reader` and is not the graph output.
  bool only_read_by(const std::string& name, size_t reader) const {
    const auto c = consumers(name);
    return name != out_.output && c.size() == 1 && c[0] == reader;
  }

  // Sub(Relu(x), Relu(Sub(x, c))) == clip(x, 0, c) for a scalar c >= 0.
  void clip_relu6() {
    for (auto& n : out_.nodes) {
      if (n.op() != "Sub" || n.inputs.size() != 2) continue;
      const int a = producer(n.inputs[0]), b = producer(n.inputs[1]);
      if (a < 0 || b < 0 || out_.nodes[a].op() != "Relu" || out_.nodes[b].op() != "Relu") continue;
      const int shifted = producer(out_.nodes[b].inputs[0]);
      if (shifted < 0) continue;
      const auto& s = out_.nodes[shifted];
      if (s.op() != "Sub" || s.inputs.size() != 2 || s.inputs[0] != out_.nodes[a].inputs[0] || !is_constant(s.inputs[1]))
        continue;
      const auto& c = out_.constants.at(s.inputs[1]);
      if (c.floats.size() != 1 || c.floats[0] < 0) continue;
      n.epilogue = {Epilogue{Epilogue::Kind::Clip, 0.f, c.floats[0], ""}};
      n.inputs = {s.inputs[0]};
      n.proto.set_op_type("Clip");
      n.proto.clear_input();
    }
  }

  // Drops nodes whose output nothing reads (what clip_relu6 left behind), repeatedly.
  void remove_dead() {
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t i = out_.nodes.size(); i-- > 0;) {
        if (out_.nodes[i].output == out_.output || !consumers(out_.nodes[i].output).empty()) continue;
        out_.nodes.erase(out_.nodes.begin() + static_cast<std::ptrdiff_t>(i));
        changed = true;
      }
    }
  }

  void infer(FusedNode& n) {
    const auto& p = n.proto;
    const std::string& op = n.op();
    if (n.inputs.empty() || n.inputs[0].empty()) fail_node(p, "has no input");
    // Add and Mul commute: the computed value first (a graph of constants alone is not run here).
    if ((op == "Add" || op == "Mul") && is_constant(n.inputs[0])) std::swap(n.inputs[0], n.inputs[1]);
    if (!out_.dims.count(n.inputs[0])) fail_node(p, "its first input " + n.inputs[0] + " is not a computed value");
    for (size_t i = 1; i < n.inputs.size() && op == "Concat"; ++i)
      if (!out_.dims.count(n.inputs[i])) fail_node(p, "input " + n.inputs[i] + " is not a computed value");
    const Dims x = out_.dims.at(n.inputs[0]);
    if (x.size() != 4) fail_node(p, "only 4-D (N, C, H, W) values are supported");
    // Two positive values (strides, dilations, kernel), or the fallback.
    auto pair = [&](const std::string& key, std::array<int64_t, 2> fallback) {
      const auto v = attr_ints(p, key, {fallback[0], fallback[1]});
      if (v.size() != 2 || v[0] < 1 || v[1] < 1 || v[0] > 4096 || v[1] > 4096)
        fail_node(p, key + " must be two values from 1 to 4096");
      return std::array<int64_t, 2>{v[0], v[1]};
    };
    auto spatial = [&](const Dims& w) {
      if (x.size() != 4 || w.size() != 4) fail_node(p, "only 2-D (N, C, H, W) convolutions are supported");
      if (attr_string(p, "auto_pad", "NOTSET") != "NOTSET") fail_node(p, "auto_pad is not supported");
      const auto pads = attr_ints(p, "pads", {0, 0, 0, 0});
      if (pads.size() != 4) fail_node(p, "expected 4 pads");
      for (int64_t v : pads)
        if (v < 0 || v > 4096) fail_node(p, "pads must be from 0 to 4096");
      n.pads = {pads[0], pads[1], pads[2], pads[3]};
      n.strides = pair("strides", {1, 1});
      n.dilations = pair("dilations", {1, 1});
      n.group = attr_int(p, "group", 1);
      if (n.group < 1) fail_node(p, "group must be >= 1");
      for (int64_t d : w)
        if (d < 1) fail_node(p, "the weight has an empty dimension");
    };
    Dims y = x;
    if (op == "Conv") {
      const Dims& w = dims_of(n, n.inputs.at(1));
      spatial(w);
      const auto &s = n.strides, &d = n.dilations;
      if (x[1] != w[1] * n.group || w[0] % n.group != 0) fail_node(p, "weight does not match the input's channels");
      y = {x[0], w[0], 0, 0};
      for (int i = 0; i < 2; ++i) {
        const int64_t span = x[2 + i] + n.pads[i] + n.pads[2 + i] - ((w[2 + i] - 1) * d[i] + 1);
        if (span < 0) fail_node(p, "the kernel is larger than the padded input");
        y[2 + i] = span / s[i] + 1;
      }
    } else if (op == "ConvTranspose") {
      const Dims& w = dims_of(n, n.inputs.at(1));
      spatial(w);
      const auto &s = n.strides, &d = n.dilations;
      const auto extra = attr_ints(p, "output_padding", {0, 0});
      if (extra.size() != 2 || extra[0] < 0 || extra[1] < 0 || extra[0] >= s[0] || extra[1] >= s[1])
        fail_node(p, "output_padding must be two values from 0 to the stride - 1");
      if (find_attr(p, "output_shape")) fail_node(p, "output_shape is not supported");
      if (x[1] != w[0] || x[1] % n.group != 0) fail_node(p, "weight does not match the input's channels");
      y = {x[0], w[1] * n.group, 0, 0};
      for (int i = 0; i < 2; ++i) {
        y[2 + i] = (x[2 + i] - 1) * s[i] + (w[2 + i] - 1) * d[i] + 1 + extra[i] - n.pads[i] - n.pads[2 + i];
        // The output padding adds rows and columns at the end: one crop fewer there.
        n.pads[2 + i] -= extra[i];
      }
    } else if (op == "MaxPool" || op == "AveragePool") {
      spatial(Dims{1, 1, 1, 1});
      if (!find_attr(p, "kernel_shape")) fail_node(p, "has no kernel_shape");
      n.kernel = pair("kernel_shape", {1, 1});
      const auto &k = n.kernel, &s = n.strides;
      if (n.dilations != std::array<int64_t, 2>{1, 1}) fail_node(p, "dilated pooling is not supported");
      const bool ceil_mode = attr_int(p, "ceil_mode", 0) != 0;
      if (ceil_mode && op == "AveragePool" && attr_int(p, "count_include_pad", 0))
        fail_node(p, "ceil_mode with count_include_pad is not supported");
      for (int i = 0; i < 2; ++i) {
        const int64_t span = x[2 + i] + n.pads[i] + n.pads[2 + i] - k[i];
        if (span < 0) fail_node(p, "the kernel is larger than the padded input");
        y[2 + i] = (ceil_mode ? (span + s[i] - 1) / s[i] : span / s[i]) + 1;
        // As PyTorch and onnxruntime: a last window that would start in the right padding is dropped.
        if (ceil_mode && (y[2 + i] - 1) * s[i] >= x[2 + i] + n.pads[i]) --y[2 + i];
      }
    } else if (op == "GlobalAveragePool") {
      y = {x[0], x[1], 1, 1};
    } else if (op == "Concat") {
      const int64_t axis = attr_int(p, "axis", 1);
      if (axis != 1 && axis != -3) fail_node(p, "only channel concatenation is supported");
      y[1] = 0;
      for (const auto& in : n.inputs) {
        const Dims& d = dims_of(n, in);
        if (d.size() != 4 || d[0] != x[0] || d[2] != x[2] || d[3] != x[3]) fail_node(p, "inputs differ in size");
        y[1] += d[1];
      }
    } else if (op == "Resize") {
      if (attr_string(p, "mode", "nearest") != "linear") fail_node(p, "only linear mode is supported");
      const GraphConstant& scales = constant(n, 2);
      if (scales.floats.size() != 4 || scales.floats[0] != 1.f || scales.floats[1] != 1.f)
        fail_node(p, "only constant spatial scales are supported");
      for (int i = 2; i < 4; ++i) y[i] = resize_output_size(x[i], scales.floats[i]);
    } else if (op == "Slice") {
      const auto& starts = constant(n, 1).ints;
      const auto& ends = constant(n, 2).ints;
      std::vector<int64_t> axes(starts.size());
      for (size_t i = 0; i < axes.size(); ++i) axes[i] = static_cast<int64_t>(i);
      if (n.inputs.size() > 3 && !n.inputs[3].empty()) axes = constant(n, 3).ints;
      if (n.inputs.size() > 4 && !n.inputs[4].empty())
        for (int64_t step : constant(n, 4).ints)
          if (step != 1) fail_node(p, "only step 1 is supported");
      if (starts.size() != ends.size() || axes.size() != starts.size()) fail_node(p, "starts, ends and axes differ in length");
      Dims offsets(x.size(), 0);
      for (size_t i = 0; i < axes.size(); ++i) {
        const int64_t axis = axes[i] < 0 ? axes[i] + static_cast<int64_t>(x.size()) : axes[i];
        if (axis < 0 || axis >= static_cast<int64_t>(x.size())) fail_node(p, "axis out of range");
        const int64_t size = x[static_cast<size_t>(axis)];
        auto clamp = [&](int64_t v) { return std::min(std::max(v < 0 ? v + size : v, int64_t{0}), size); };
        const int64_t b = clamp(starts[i]), e = std::max(clamp(ends[i]), b);
        offsets[static_cast<size_t>(axis)] = b;
        y[static_cast<size_t>(axis)] = e - b;
      }
      n.slice_begin = offsets;
    } else if (op == "Pad") {
      if (attr_string(p, "mode", "constant") != "constant") fail_node(p, "only constant padding is supported");
      const auto& pads = constant(n, 1).ints;
      if (pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5]) fail_node(p, "only spatial padding is supported");
      for (int64_t v : pads)
        if (v < 0) fail_node(p, "negative padding is not supported");
      if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
        const auto& value = constant(n, 2).floats;
        if (value.size() != 1) fail_node(p, "the pad value must be a float scalar");
        n.pad_value = value[0];
      }
      n.pads = {pads[2], pads[3], pads[6], pads[7]};
      y[2] += pads[2] + pads[6];
      y[3] += pads[3] + pads[7];
    } else if (op == "Softmax") {
      const int64_t axis = attr_int(p, "axis", -1);
      if (axis != 1 && axis != -3) fail_node(p, "only channel softmax is supported");
    } else if (is_elementwise(op)) {
      to_epilogue(n);
    } else {
      fail_node(p, "the op is not supported by this engine");
    }
    for (int64_t d : y)
      if (d < 1) fail_node(p, "its output would be empty");
    element_count(y, "ONNX " + op + " node " + p.name() + ": its output");
    out_.dims[n.output] = y;
  }

  void to_epilogue(FusedNode& n) {
    const std::string& op = n.op();
    const Dims& x = dims_of(n, n.inputs[0]);
    Epilogue e;
    if (op == "Relu") e.kind = Epilogue::Kind::Relu;
    if (op == "Sigmoid") e.kind = Epilogue::Kind::Sigmoid;
    if (op == "Clip") {
      if (!n.epilogue.empty()) return;  // from clip_relu6
      fail_node(n.proto, "only the ReLU6 pattern is supported");
    }
    if (op == "PRelu" || op == "Add" || op == "Sub" || op == "Mul") {
      if (n.inputs.size() != 2) fail_node(n.proto, "expected two inputs");
      e.kind = op == "PRelu" ? Epilogue::Kind::PRelu
             : op == "Add" ? Epilogue::Kind::Add
             : op == "Sub" ? Epilogue::Kind::Sub
                           : Epilogue::Kind::Mul;
      e.operand = n.inputs[1];
      const Dims& other = dims_of(n, e.operand);
      if (other.size() > x.size()) fail_node(n.proto, "the second input has more dimensions than the first");
      for (size_t i = 0; i < other.size(); ++i) {
        const int64_t d = other[other.size() - 1 - i], full = x[x.size() - 1 - i];
        if (d != 1 && d != full) fail_node(n.proto, "the second input does not broadcast to the first");
      }
      if (op == "PRelu") {
        if (!is_constant(e.operand)) fail_node(n.proto, "the slope must be a constant");
        Dims aligned(x.size() - other.size(), 1);
        aligned.insert(aligned.end(), other.begin(), other.end());
        const bool single = element_count(other, "the slope") == 1;
        if (!single && aligned != Dims{1, x[1], 1, 1}) fail_node(n.proto, "the slope must be per channel or one value");
      }
      n.inputs.resize(1);
    }
    n.epilogue = {e};
  }

  // A zero Pad read only by a Conv becomes the Conv's padding.
  void fold_pads() {
    for (size_t i = 0; i < out_.nodes.size(); ++i) {
      auto& pad = out_.nodes[i];
      if (pad.op() != "Pad" || pad.pad_value != 0.f) continue;
      const auto readers = consumers(pad.output);
      if (pad.output == out_.output || readers.size() != 1) continue;
      auto& conv = out_.nodes[readers[0]];
      if (conv.op() != "Conv" || conv.inputs[0] != pad.output) continue;
      for (int k = 0; k < 4; ++k) conv.pads[k] += pad.pads[k];
      conv.inputs[0] = pad.inputs[0];
      out_.nodes.erase(out_.nodes.begin() + static_cast<std::ptrdiff_t>(i--));
    }
  }

  // A spatial Slice that alone reads a ConvTranspose's output becomes part of the ConvTranspose's crop.
  void fold_crops() {
    for (size_t i = 0; i < out_.nodes.size(); ++i) {
      auto& slice = out_.nodes[i];
      if (slice.op() != "Slice") continue;
      const int t = producer(slice.inputs[0]);
      if (t < 0 || out_.nodes[t].op() != "ConvTranspose" || !only_read_by(slice.inputs[0], i)) continue;
      const Dims& full = out_.dims.at(slice.inputs[0]);
      const Dims& kept = out_.dims.at(slice.output);
      const Dims& offsets = slice.slice_begin;
      if (kept[0] != full[0] || kept[1] != full[1]) continue;
      auto& deconv = out_.nodes[t];
      for (int k = 0; k < 2; ++k) {
        deconv.pads[k] += offsets[2 + k];
        deconv.pads[2 + k] += full[2 + k] - kept[2 + k] - offsets[2 + k];
      }
      deconv.output = slice.output;
      out_.nodes.erase(out_.nodes.begin() + static_cast<std::ptrdiff_t>(i--));
    }
  }

  // Whether a linear Resize of a 1x1 map repeats it: under a coordinate mode the lowering knows, every output reads
  // the one input. Other modes are left for the lowering to refuse by name.
  static bool replicates(const FusedNode& resize) {
    try {
      linear_resize_taps(1, 2.0, attr_string(resize.proto, "coordinate_transformation_mode", "half_pixel"));
      return true;
    } catch (const std::invalid_argument&) {
      return false;
    }
  }

  // A 1x1 convolution over the Concat of a 1x1 map resized to the other input's size and that input, as DeepLabV3's
  // head reads its image-pooling branch: the replicated channels add the same sum at every pixel, so the 1x1 map
  // gets a 1x1 convolution of its own (their weights, and the bias), whose per-channel output the convolution of
  // the other input (the other weights) adds as the first step of its epilogue. No resized map, no concatenation,
  // and the replicated channels' products once instead of at every pixel. Batch 1: the addition broadcasts per
  // channel, not per image.
  void split_replicated_concats() {
    for (size_t i = 0; i < out_.nodes.size(); ++i) {
      const FusedNode& conv = out_.nodes[i];
      if (conv.op() != "Conv" || conv.group != 1 || conv.pads != std::array<int64_t, 4>{} ||
          conv.strides != std::array<int64_t, 2>{1, 1} || !is_constant(conv.inputs[1]))
        continue;
      const GraphConstant& w = out_.constants.at(conv.inputs[1]);
      const int k = producer(conv.inputs[0]);
      if (w.dims.size() != 4 || w.dims[2] != 1 || w.dims[3] != 1 || k < 0 || out_.dims.at(conv.inputs[0])[0] != 1 ||
          out_.nodes[k].op() != "Concat" || out_.nodes[k].inputs.size() != 2 || !only_read_by(conv.inputs[0], i))
        continue;
      const FusedNode& concat = out_.nodes[k];
      if (concat.inputs[0] == concat.inputs[1]) continue;
      int side = -1, resize = -1;  // which Concat input is the resized 1x1 map, and the Resize computing it
      for (int s = 0; s < 2 && side < 0; ++s) {
        const int r = producer(concat.inputs[s]);
        if (r < 0 || out_.nodes[r].op() != "Resize" || !only_read_by(concat.inputs[s], k)) continue;
        const Dims& small = out_.dims.at(out_.nodes[r].inputs[0]);
        if (small[2] == 1 && small[3] == 1 && replicates(out_.nodes[r])) side = s, resize = r;
      }
      if (side < 0) continue;
      const std::string map = out_.nodes[resize].inputs[0], other = concat.inputs[1 - side];
      const int64_t out_c = w.dims[0], in_c = w.dims[1], map_c = out_.dims.at(map)[1];
      // A weight that is not floats of its size is left for the lowering to refuse by name.
      if (w.floats.size() != static_cast<size_t>(out_c * in_c)) continue;
      const int64_t map_from = side == 0 ? 0 : in_c - map_c, other_from = side == 0 ? map_c : 0;
      // The two weights: columns [from, from + count) of each output channel's row.
      auto columns = [&](const std::string& name, int64_t from, int64_t count) {
        GraphConstant part;
        part.dims = {out_c, count, 1, 1};
        for (int64_t o = 0; o < out_c; ++o)
          part.floats.insert(part.floats.end(), w.floats.begin() + o * in_c + from,
                             w.floats.begin() + o * in_c + from + count);
        out_.constants[name] = std::move(part);
        return name;
      };
      FusedNode per_image = conv;
      per_image.proto.set_name(conv.proto.name() + "/replicated");
      per_image.inputs = {map, columns(conv.output + "/weight_replicated", map_from, map_c),
                          conv.inputs.size() > 2 ? conv.inputs[2] : ""};
      per_image.output = concat.output + "/replicated";
      per_image.epilogue.clear();
      out_.dims[per_image.output] = {1, out_c, 1, 1};
      FusedNode& whole = out_.nodes[i];
      whole.inputs = {other, columns(conv.output + "/weight_rest", other_from, in_c - map_c)};
      whole.epilogue.insert(whole.epilogue.begin(), Epilogue{Epilogue::Kind::Add, 0.f, 0.f, per_image.output});
      // The 1x1 convolution takes the Resize's place; the Concat goes (it comes after the Resize).
      out_.nodes.erase(out_.nodes.begin() + k);
      out_.nodes[static_cast<size_t>(resize)] = std::move(per_image);
      i = static_cast<size_t>(resize);
    }
  }

  // An element-wise node joins the epilogue of the convolution computing its input when it alone reads that output.
  // An Add or Mul of two values may join the producer of either; the other value must be ready before that
  // convolution runs.
  void fuse_epilogues() {
    for (size_t i = 0; i < out_.nodes.size(); ++i) {
      const FusedNode& node = out_.nodes[i];
      if (!is_elementwise(node.op()) || node.epilogue.size() != 1) continue;
      const Epilogue& e = node.epilogue[0];
      const bool two_values = !e.operand.empty() && !is_constant(e.operand);
      std::vector<std::pair<std::string, std::string>> choices = {{node.inputs[0], e.operand}};  // (input, other)
      if (two_values && (e.kind == Epilogue::Kind::Add || e.kind == Epilogue::Kind::Mul))
        choices.emplace_back(e.operand, node.inputs[0]);
      for (const auto& [input, other] : choices) {
        const int p = producer(input);
        if (p < 0 || (out_.nodes[p].op() != "Conv" && out_.nodes[p].op() != "ConvTranspose")) continue;
        if (!only_read_by(input, i)) continue;
        if (two_values && (producer(other) >= p || dims_of(node, other) != out_.dims.at(input))) continue;
        Epilogue joined = e;
        joined.operand = other;
        auto& conv = out_.nodes[p];
        conv.epilogue.push_back(joined);
        conv.output = node.output;
        out_.nodes.erase(out_.nodes.begin() + static_cast<std::ptrdiff_t>(i--));
        break;
      }
    }
  }
};

}  // namespace

FusedGraph fuse_onnx_graph(const onnx::ModelProto& model) {
  GraphBuilder builder(model);
  return builder.build();
}

int64_t resize_output_size(int64_t in, float scale) {
  return static_cast<int64_t>(std::floor(static_cast<float>(in) * scale));
}

ResizeTaps linear_resize_taps(int64_t in, double scale, const std::string& mode) {
  if (!(scale > 0 && scale <= 4096))
    throw std::invalid_argument("resize scale " + std::to_string(scale) + " is outside (0, 4096]");
  const int64_t out = resize_output_size(in, static_cast<float>(scale));
  ResizeTaps t;
  t.lo.resize(static_cast<size_t>(out));
  t.hi.resize(static_cast<size_t>(out));
  t.w.resize(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) {
    double src;
    if (mode == "align_corners") src = out > 1 ? i * double(in - 1) / double(out - 1) : 0.0;
    else if (mode == "asymmetric") src = i / scale;
    else if (mode == "half_pixel") src = (i + 0.5) / scale - 0.5;
    else if (mode == "pytorch_half_pixel") src = out > 1 ? (i + 0.5) / scale - 0.5 : 0.0;
    else throw std::invalid_argument("resize coordinate_transformation_mode " + mode + " is not supported");
    src = std::min(std::max(src, 0.0), double(in - 1));
    const int64_t i0 = static_cast<int64_t>(std::floor(src));
    t.lo[static_cast<size_t>(i)] = i0;
    t.hi[static_cast<size_t>(i)] = std::min(i0 + 1, in - 1);
    t.w[static_cast<size_t>(i)] = static_cast<float>(src - i0);
  }
  return t;
}

}  // namespace pseg
