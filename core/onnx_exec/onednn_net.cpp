#include "core/onnx_exec/onednn_net.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>
#include <unordered_map>

#include "core/common/simd.h"
#include "core/onnx_exec/buffer_arena.h"
#include "core/onnx_exec/buffer_plan.h"
#include "core/onnx_exec/fused_graph.h"
#include "core/onnx_exec/onnx_attrs.h"

namespace pseg {
namespace {

using dnnl::memory;
using Dims = std::vector<int64_t>;
using Args = std::unordered_map<int, memory>;

// The dense row-major format of a rank-`rank` tensor.
memory::format_tag tag_of_rank(size_t rank) {
  static const memory::format_tag tags[] = {memory::format_tag::a, memory::format_tag::ab, memory::format_tag::abc,
                                            memory::format_tag::abcd, memory::format_tag::abcde};
  if (rank < 1 || rank > 5) throw std::runtime_error("oneDNN: unsupported rank " + std::to_string(rank));
  return tags[rank - 1];
}

memory::desc plain_desc(const Dims& dims) {
  return memory::desc(memory::dims(dims.begin(), dims.end()), memory::data_type::f32, tag_of_rank(dims.size()));
}

// Activations live channels-last (NHWC): oneDNN's brgemm convolutions on AVX-512 pick it, and element-wise ops,
// concatenation, resize and the transposed convolution's column pass then read it without reorders.
memory::desc act_desc(const Dims& dims) {
  if (dims.size() != 4) return plain_desc(dims);
  return memory::desc(memory::dims(dims.begin(), dims.end()), memory::data_type::f32, memory::format_tag::acdb);
}

memory::desc any_desc(const Dims& dims) {
  return memory::desc(memory::dims(dims.begin(), dims.end()), memory::data_type::f32, memory::format_tag::any);
}

// A constant's dimensions right-aligned to `rank` (ONNX broadcasting).
Dims broadcast_dims(const Dims& dims, size_t rank) {
  Dims out(rank - std::min(rank, dims.size()), 1);
  out.insert(out.end(), dims.begin(), dims.end());
  return out;
}

dnnl::algorithm eltwise_algorithm(Epilogue::Kind k) {
  switch (k) {
    case Epilogue::Kind::Relu: return dnnl::algorithm::eltwise_relu;
    case Epilogue::Kind::Clip: return dnnl::algorithm::eltwise_clip;
    case Epilogue::Kind::Sigmoid: return dnnl::algorithm::eltwise_logistic;
    default: return dnnl::algorithm::undef;
  }
}
dnnl::algorithm binary_algorithm(Epilogue::Kind k) {
  switch (k) {
    case Epilogue::Kind::Add: return dnnl::algorithm::binary_add;
    case Epilogue::Kind::Sub: return dnnl::algorithm::binary_sub;
    case Epilogue::Kind::Mul: return dnnl::algorithm::binary_mul;
    default: return dnnl::algorithm::undef;
  }
}

// Runs body(i) for i in [0, count) on OpenMP's threads, the pool oneDNN runs on (serially in a build without OpenMP).
template <class F>
void parallel_for(int64_t count, const F& body) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
  for (int64_t i = 0; i < count; ++i) body(i);
}

// The taps of one output axis of a transposed convolution: output o reads input source[t] through kernel index
// kernel[t], for t in [first[o], first[o + 1]).
struct AxisTaps {
  std::vector<int64_t> first{0}, kernel, source;
};

AxisTaps transposed_taps(int64_t out, int64_t in, int64_t k, int64_t stride, int64_t dilation, int64_t pad) {
  AxisTaps t;
  for (int64_t o = 0; o < out; ++o) {
    for (int64_t kk = 0; kk < k; ++kk) {
      const int64_t v = o + pad - kk * dilation;  // = input index * stride
      if (v < 0 || v % stride != 0 || v / stride >= in) continue;
      t.kernel.push_back(kk);
      t.source.push_back(v / stride);
    }
    t.first.push_back(static_cast<int64_t>(t.kernel.size()));
  }
  return t;
}

struct GatherShape {
  int64_t in_w, out_w, out_c, kw, width;  // width: kh * kw * out_c columns per input pixel
  float lo, hi;                           // the clamp of a fused ReLU / Clip
  int64_t stride_x;
};

// One output row (channels-last) of a transposed convolution from its matrix-product columns.
PSEG_MULTIVERSION void gather_output_row(const float* columns, const float* bias, float* out_row, const AxisTaps& rows,
                                         int64_t oy, const AxisTaps& cols, const GatherShape& g) {
  for (int64_t ox = 0; ox < g.out_w; ++ox) {
    float* __restrict acc = out_row + ox * g.out_c;
    for (int64_t oc = 0; oc < g.out_c; ++oc) acc[oc] = bias[oc];
    for (int64_t r = rows.first[oy]; r < rows.first[oy + 1]; ++r) {
      const float* line = columns + rows.source[r] * g.in_w * g.width + rows.kernel[r] * g.kw * g.out_c;
      for (int64_t c = cols.first[ox]; c < cols.first[ox + 1]; ++c) {
        const float* __restrict v = line + cols.source[c] * g.width + cols.kernel[c] * g.out_c;
        for (int64_t oc = 0; oc < g.out_c; ++oc) acc[oc] += v[oc];
      }
    }
    for (int64_t oc = 0; oc < g.out_c; ++oc) acc[oc] = std::min(std::max(acc[oc], g.lo), g.hi);
  }
}

// Eight floats as one vector value (GCC's vector extensions): a 256-bit register in the AVX2 and AVX-512 clones,
// two 128-bit ones in the baseline.
using Floats8 = float __attribute__((vector_size(32)));

__attribute__((always_inline)) inline Floats8 load8(const float* p) {
  Floats8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Bias, clamp and store of one output pixel's sums.
template <int V>
__attribute__((always_inline)) inline void store_pixel(const Floats8 (&acc)[V], const float* bias, const GatherShape& g,
                                                       float* out) {
  Floats8 lo = {}, hi = {};
  lo += g.lo, hi += g.hi;
  Floats8 sum[V];
  for (int v = 0; v < V; ++v) {
    sum[v] = load8(bias + 8 * v) + acc[v];
    sum[v] = sum[v] < lo ? lo : sum[v];  // std::max(sum, lo) and std::min(..., hi), NaN kept as they keep it
    sum[v] = sum[v] > hi ? hi : sum[v];
  }
  std::memcpy(out, sum, sizeof sum);
}

// Output pixel ox of a row of a transposed convolution with OC (8 or 16) output channels, summed in registers
// straight from its input taps: weights[ky][kx][ic][oc]. IC: the input channels when known at compile time (the
// loops then unroll), else 0 and `in_c`.
template <int OC, int IC>
__attribute__((always_inline)) inline void direct_pixel(const float* input, const float* weights, const float* bias,
                                                        float* out_row, const AxisTaps& rows, int64_t oy,
                                                        const AxisTaps& cols, int64_t ox, const GatherShape& g,
                                                        int64_t in_c) {
  constexpr int kVectors = OC / 8, kChains = 4;
  // Four partial sums (input channels by their remainder mod 4), so that each multiply-add does not wait for the
  // one before it.
  Floats8 acc[kChains][kVectors] = {};
  for (int64_t r = rows.first[oy]; r < rows.first[oy + 1]; ++r) {
    const float* line = input + rows.source[r] * g.in_w * in_c;
    const float* kernel_row = weights + rows.kernel[r] * g.kw * in_c * OC;
    for (int64_t c = cols.first[ox]; c < cols.first[ox + 1]; ++c) {
      const float* x = line + cols.source[c] * in_c;
      const float* w = kernel_row + cols.kernel[c] * in_c * OC;
      int64_t ic = 0;
      for (; ic + kChains <= in_c; ic += kChains, w += kChains * OC)
        for (int u = 0; u < kChains; ++u)
          for (int v = 0; v < kVectors; ++v) acc[u][v] += x[ic + u] * load8(w + u * OC + 8 * v);
      for (; ic < in_c; ++ic, w += OC)
        for (int v = 0; v < kVectors; ++v) acc[0][v] += x[ic] * load8(w + 8 * v);
    }
  }
  Floats8 total[kVectors];
  for (int v = 0; v < kVectors; ++v) total[v] = (acc[0][v] + acc[1][v]) + (acc[2][v] + acc[3][v]);
  store_pixel(total, bias, g, out_row + ox * OC);
}

// Whether outputs ox, ox + s, ..., ox + (P - 1) s all exist and read the same kernel taps from inputs 0, 1, ...,
// P - 1 apart: the pixels of one phase of a strided transposed convolution away from the row's ends.
template <int P>
bool same_taps(const AxisTaps& cols, int64_t ox, int64_t s, int64_t out_w) {
  if (ox + (P - 1) * s >= out_w) return false;
  const int64_t begin = cols.first[ox], taps = cols.first[ox + 1] - begin;
  for (int64_t k = 1; k < P; ++k) {
    const int64_t other = cols.first[ox + k * s];
    if (cols.first[ox + k * s + 1] - other != taps) return false;
    for (int64_t t = 0; t < taps; ++t)
      if (cols.kernel[other + t] != cols.kernel[begin + t] || cols.source[other + t] != cols.source[begin + t] + k)
        return false;
  }
  return true;
}

// direct_pixel for the P outputs same_taps accepted: each weight vector is loaded once for all P, whose sums are
// P independent chains.
template <int OC, int IC, int P>
__attribute__((always_inline)) inline void direct_pixels(const float* input, const float* weights, const float* bias,
                                                         float* out_row, const AxisTaps& rows, int64_t oy,
                                                         const AxisTaps& cols, int64_t ox, const GatherShape& g,
                                                         int64_t in_c) {
  constexpr int kVectors = OC / 8;
  Floats8 acc[P][kVectors] = {};
  for (int64_t r = rows.first[oy]; r < rows.first[oy + 1]; ++r) {
    const float* line = input + rows.source[r] * g.in_w * in_c;
    const float* kernel_row = weights + rows.kernel[r] * g.kw * in_c * OC;
    for (int64_t c = cols.first[ox]; c < cols.first[ox + 1]; ++c) {
      const float* x = line + cols.source[c] * in_c;  // output k reads the input pixel k after it
      const float* w = kernel_row + cols.kernel[c] * in_c * OC;
      for (int64_t ic = 0; ic < in_c; ++ic) {
        Floats8 wv[kVectors];
        for (int v = 0; v < kVectors; ++v) wv[v] = load8(w + ic * OC + 8 * v);
        for (int k = 0; k < P; ++k)
          for (int v = 0; v < kVectors; ++v) acc[k][v] += x[k * in_c + ic] * wv[v];
      }
    }
  }
  for (int k = 0; k < P; ++k) store_pixel(acc[k], bias, g, out_row + (ox + k * g.stride_x) * OC);
}

// One output row (channels-last): the outputs of each phase in groups of P (eight vectors of sums in flight), those
// at the row's ends one by one.
template <int OC, int IC>
__attribute__((always_inline)) inline void direct_row(const float* input, const float* weights, const float* bias,
                                                      float* out_row, const AxisTaps& rows, int64_t oy,
                                                      const AxisTaps& cols, const GatherShape& g, int64_t in_c_runtime) {
  constexpr int P = 8 / (OC / 8);
  const int64_t in_c = IC > 0 ? IC : in_c_runtime, s = g.stride_x;
  for (int64_t base = 0; base < g.out_w; base += s * P)
    for (int64_t ox = base; ox < base + s && ox < g.out_w; ++ox) {
      if (same_taps<P>(cols, ox, s, g.out_w)) {
        direct_pixels<OC, IC, P>(input, weights, bias, out_row, rows, oy, cols, ox, g, in_c);
        continue;
      }
      for (int64_t o = ox; o < base + s * P && o < g.out_w; o += s)
        direct_pixel<OC, IC>(input, weights, bias, out_row, rows, oy, cols, o, g, in_c);
    }
}

// direct_row for g.out_c output channels: 8 or 16 (direct_transposed says when the engine takes this way).
PSEG_MULTIVERSION void direct_output_row(const float* input, const float* weights, const float* bias, float* out_row,
                                         const AxisTaps& rows, int64_t oy, const AxisTaps& cols, const GatherShape& g,
                                         int64_t in_c) {
  if (g.out_c == 8)
    return in_c == 8 ? direct_row<8, 8>(input, weights, bias, out_row, rows, oy, cols, g, in_c)
                     : direct_row<8, 0>(input, weights, bias, out_row, rows, oy, cols, g, in_c);
  return in_c == 16 ? direct_row<16, 16>(input, weights, bias, out_row, rows, oy, cols, g, in_c)
                    : direct_row<16, 0>(input, weights, bias, out_row, rows, oy, cols, g, in_c);
}

// One output row (channels-last) of a linear resize: the top and bottom input rows mixed by `wr`, columns by `cols`.
PSEG_MULTIVERSION void resize_row(const float* top_row, const float* bottom_row, float wr, const ResizeTaps& cols,
                                  int64_t channels, float* out) {
  const int64_t out_w = static_cast<int64_t>(cols.w.size());
  for (int64_t j = 0; j < out_w; ++j) {
    const float *a0 = top_row + cols.lo[j] * channels, *a1 = top_row + cols.hi[j] * channels;
    const float *b0 = bottom_row + cols.lo[j] * channels, *b1 = bottom_row + cols.hi[j] * channels;
    const float wc = cols.w[j];
    float* __restrict o = out + j * channels;
    for (int64_t c = 0; c < channels; ++c) {
      const float top = a0[c] + (a1[c] - a0[c]) * wc, bottom = b0[c] + (b1[c] - b0[c]) * wc;
      o[c] = top + (bottom - top) * wr;
    }
  }
}

// The channel count up to which Softmax runs in softmax_pixels rather than oneDNN.
constexpr int64_t kSmallSoftmax = 8;
// Whether a transposed convolution sums each output straight from its input taps (direct_output_row) rather than
// through a matrix product's columns: for 8 or 16 output channels from at most 16 input channels. PortraitNet's last
// two (16 and 8 channels) wrote 3.2 and 6.4 MB of columns for 0.8 and 1.6 MB of output.
bool direct_transposed(int64_t in_c, int64_t out_c) { return (out_c == 8 || out_c == 16) && in_c <= 16; }

// Softmax over the `channels` innermost values of each of `count` pixels (channels-last), as ONNX computes it:
// exp(x - max) / sum.
PSEG_MULTIVERSION void softmax_pixels(const float* in, float* out, int64_t count, int64_t channels) {
  for (int64_t i = 0; i < count; ++i) {
    const float* x = in + i * channels;
    float* y = out + i * channels;
    float top = x[0];
    for (int64_t c = 1; c < channels; ++c) top = std::max(top, x[c]);
    float sum = 0.f;
    for (int64_t c = 0; c < channels; ++c) sum += (y[c] = std::exp(x[c] - top));
    for (int64_t c = 0; c < channels; ++c) y[c] /= sum;
  }
}

}  // namespace

struct OnednnNet::Impl {
  BufferArena arena;  // first, so that it outlives every memory over it
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  FusedGraph graph;
  struct Step {
    dnnl::primitive primitive;
    Args args;                     // for a custom step, the memories it reads and writes
    std::function<void()> custom;  // set instead of `primitive` for what oneDNN has no primitive for
  };
  std::vector<Step> steps;
  // Activations get their addresses once the graph is lowered (place_values): each memory over one, and which.
  std::vector<size_t> value_bytes;
  std::vector<std::pair<memory, size_t>> placed_later;
  std::unordered_map<dnnl_memory_t, size_t> value_of_memory;
  size_t activation_bytes = 0;
  std::unordered_map<std::string, memory> values;                   // each value as its producer wrote it
  std::unordered_map<std::string, std::vector<memory>> conversions;  // the same values in other layouts
  memory input, output;
  Dims input_dims, output_dims;

  explicit Impl(const onnx::ModelProto& model) : graph(fuse_onnx_graph(model)) {
    input_dims = graph.dims.at(graph.input);
    input = memory(plain_desc(input_dims), engine);
    values[graph.input] = input;
    for (const auto& n : graph.nodes) lower(n);
    output_dims = graph.dims.at(graph.output);
    if (output_dims.size() != 4) throw std::runtime_error("ONNX graph output " + graph.output + " is not 4-D");
    output = in_layout(graph.output, plain_desc(output_dims));
    place_values();
  }

  // A buffer that keeps its contents from one run to the next (packed weights, a padded value's border), from the
  // arena.
  memory new_memory(const memory::desc& d) { return memory(d, engine, arena.allocate(d.get_size())); }

  // A buffer for a value the steps write and read within a run, placed by place_values.
  memory new_value(const memory::desc& d) {
    value_bytes.push_back(d.get_size());
    return over_value(d, value_bytes.size() - 1);
  }
  // `d` over the same bytes as `m` (a window of it, or another shape).
  memory view(const memory& m, const memory::desc& d) {
    const auto found = value_of_memory.find(m.get());
    if (found == value_of_memory.end()) return memory(d, engine, m.get_data_handle());
    return over_value(d, found->second);
  }
  // A memory without storage over value `value`, pointed at its bytes by place_values.
  memory over_value(const memory::desc& d, size_t value) {
    memory m(d, engine, DNNL_MEMORY_NONE);
    placed_later.emplace_back(m, value);
    value_of_memory[m.get()] = value;
    return m;
  }

  // Every value in one arena block, sharing bytes with values whose steps all ran before it is first written
  // (core/onnx_exec/buffer_plan.h). The output is read after the last step.
  void place_values() {
    const int end = static_cast<int>(steps.size());
    std::vector<BufferLife> lives;
    for (size_t bytes : value_bytes) lives.push_back(BufferLife{bytes, end, -1});
    const auto use = [&](const memory& m, int step) {
      const auto found = value_of_memory.find(m.get());
      if (found == value_of_memory.end()) return;
      BufferLife& life = lives[found->second];
      life.first = std::min(life.first, step), life.last = std::max(life.last, step);
    };
    for (int i = 0; i < end; ++i)
      for (const auto& [slot, m] : steps[static_cast<size_t>(i)].args) use(m, i);
    use(output, end);
    for (BufferLife& life : lives)
      if (life.last < life.first) life.first = life.last = end;  // never used: anywhere will do
    const BufferPlan plan = plan_buffers(lives);
    char* block = static_cast<char*>(arena.allocate(plan.total_bytes));
    for (auto& [m, value] : placed_later) m.set_data_handle(block + plan.offsets[value]);
    activation_bytes = plan.total_bytes;
  }

  // A convolution's weight (input 1), which must be a constant.
  const GraphConstant& weight_of(const FusedNode& n) const {
    const auto weight = graph.constants.find(n.inputs.at(1));
    if (weight == graph.constants.end()) fail_node(n.proto, "the weight must be a constant");
    return weight->second;
  }

  // Weights in the layout a primitive chose for them, reordered once while compiling.
  memory prepacked(memory weights, const memory::desc& want) {
    if (weights.get_desc() == want) return weights;
    memory packed = new_memory(want);
    dnnl::reorder(weights, packed).execute(stream, weights, packed);
    stream.wait();
    return packed;
  }

  void add(dnnl::primitive p, Args args) { steps.push_back(Step{std::move(p), std::move(args), nullptr}); }

  const memory& value(const FusedNode& n, const std::string& name) {
    const auto it = values.find(name);
    if (it == values.end()) fail_node(n.proto, "reads " + name + ", which no earlier node computes");
    return it->second;
  }

  // `name` in layout `want`: the value itself when it is already so, else a reorder added once.
  memory in_layout(const std::string& name, const memory::desc& want) {
    const memory& m = values.at(name);
    if (m.get_desc() == want) return m;
    for (const auto& c : conversions[name])
      if (c.get_desc() == want) return c;
    memory out = new_value(want);
    add(dnnl::reorder(m, out), {{DNNL_ARG_FROM, m}, {DNNL_ARG_TO, out}});
    conversions[name].push_back(out);
    return out;
  }

  // A constant as oneDNN memory with dimensions `dims` (same element count) and format `tag`.
  memory constant(const FusedNode& n, const std::string& name, const Dims& dims, memory::format_tag tag) {
    const auto it = graph.constants.find(name);
    if (it == graph.constants.end()) fail_node(n.proto, name + " must be a constant");
    const auto& c = it->second;
    int64_t count = 1;
    for (int64_t d : dims) count *= d;
    if (c.floats.size() != static_cast<size_t>(count))
      fail_node(n.proto, name + " is not a float tensor of the expected size");
    memory m(memory::desc(memory::dims(dims.begin(), dims.end()), memory::data_type::f32, tag), engine);
    std::memcpy(m.get_data_handle(), c.floats.data(), c.floats.size() * sizeof(float));
    return m;
  }
  // An element-wise operand of a value of dimensions `x`: a constant (plain, broadcast to x's rank), a value of x's
  // dimensions as it is, or a value broadcast to them (a per-channel vector) in the plain layout oneDNN broadcasts.
  memory operand(const FusedNode& n, const std::string& name, const Dims& x) {
    const auto c = graph.constants.find(name);
    if (c == graph.constants.end()) {
      const Dims& d = graph.dims.at(name);
      return d == x ? value(n, name) : in_layout(name, plain_desc(d));
    }
    const Dims d = broadcast_dims(c->second.dims, x.size());
    return constant(n, name, d, tag_of_rank(d.size()));
  }
  // PReLU's slope as the plain per-channel (or single) weights oneDNN takes, and its mask.
  std::pair<memory, int> prelu_slope(const FusedNode& n, const std::string& name, const Dims& x) {
    const auto& c = graph.constants.at(name);
    if (c.floats.size() == 1) return {constant(n, name, Dims(x.size(), 1), tag_of_rank(x.size())), 0};
    if (static_cast<int64_t>(c.floats.size()) != x[1])
      fail_node(n.proto, "the slope must be per channel or a single value");
    Dims d(x.size(), 1);
    d[1] = x[1];
    return {constant(n, name, d, tag_of_rank(d.size())), 1 << 1};
  }

  // Post-ops for `epilogue` on an output of dimensions `y`, with their runtime arguments added to `args`.
  dnnl::primitive_attr post_ops(const FusedNode& n, const std::vector<Epilogue>& epilogue, const Dims& y, Args& args) {
    dnnl::post_ops ops;
    for (size_t k = 0; k < epilogue.size(); ++k) {
      const auto& e = epilogue[k];
      const int slot = DNNL_ARG_ATTR_MULTIPLE_POST_OP(static_cast<int>(k));
      if (eltwise_algorithm(e.kind) != dnnl::algorithm::undef) {
        ops.append_eltwise(1.f, eltwise_algorithm(e.kind), e.lo, e.hi);
      } else if (e.kind == Epilogue::Kind::PRelu) {
        auto [slope, mask] = prelu_slope(n, e.operand, y);
        ops.append_prelu(mask);
        args[slot | DNNL_ARG_WEIGHTS] = slope;
      } else {
        const memory other = operand(n, e.operand, y);
        ops.append_binary(binary_algorithm(e.kind), other.get_desc());
        args[slot | DNNL_ARG_SRC_1] = other;
      }
    }
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    return attr;
  }

  // The epilogue as primitives of their own, one per step, from value `x` (dims `dims`); returns the result.
  memory standalone(const FusedNode& n, memory x, const Dims& dims, const std::vector<Epilogue>& epilogue) {
    for (const auto& e : epilogue) {
      memory y = new_value(x.get_desc());
      Args args{{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}};
      if (eltwise_algorithm(e.kind) != dnnl::algorithm::undef) {
        dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, eltwise_algorithm(e.kind), x.get_desc(), e.lo,
                                      e.hi);
        add(dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(d, engine)), std::move(args));
      } else if (e.kind == Epilogue::Kind::PRelu) {
        const memory slope = prelu_slope(n, e.operand, dims).first;
        dnnl::prelu_forward::desc d(dnnl::prop_kind::forward_inference, x.get_desc(), slope.get_desc());
        args[DNNL_ARG_WEIGHTS] = slope;
        add(dnnl::prelu_forward(dnnl::prelu_forward::primitive_desc(d, engine)), std::move(args));
      } else {
        const memory other = operand(n, e.operand, dims);
        dnnl::binary::desc d(binary_algorithm(e.kind), x.get_desc(), other.get_desc(), x.get_desc());
        args = {{DNNL_ARG_SRC_0, x}, {DNNL_ARG_SRC_1, other}, {DNNL_ARG_DST, y}};
        add(dnnl::binary(dnnl::binary::primitive_desc(d, engine)), std::move(args));
      }
      x = y;
    }
    return x;
  }

  void lower(const FusedNode& n) {
    const std::string& op = n.op();
    const Dims& x = graph.dims.at(n.inputs.at(0));
    const Dims& y = graph.dims.at(n.output);
    if (op == "ConvTranspose" && n.group == 1) return lower_transposed(n, x, y);
    if (op == "Conv" || op == "ConvTranspose") return lower_convolution(n, x, y);
    if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool") return lower_pooling(n, x, y);
    if (op == "Concat") {
      std::vector<memory::desc> srcs;
      Args args;
      for (size_t i = 0; i < n.inputs.size(); ++i) {
        const memory m = in_layout(n.inputs[i], act_desc(graph.dims.at(n.inputs[i])));
        srcs.push_back(m.get_desc());
        args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = m;
      }
      dnnl::concat::primitive_desc pd(1, srcs, engine);
      memory dst = new_value(pd.dst_desc());
      args[DNNL_ARG_DST] = dst;
      add(dnnl::concat(pd), std::move(args));
      values[n.output] = dst;
      return;
    }
    if (op == "Softmax") {
      const memory src = in_layout(n.inputs[0], act_desc(x));
      memory dst = new_value(src.get_desc());
      if (x[1] <= kSmallSoftmax) {
        // Over a few channels (the nets' two-class heads) oneDNN's kernel, built for long rows, takes 0.6 ms at
        // 224 x 224; a loop over the pixels takes a tenth of that.
        const int64_t width = x[3], channels = x[1];
        steps.push_back(Step{{}, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}}, [=] {
          const auto* in = static_cast<const float*>(src.get_data_handle());
          auto* out = static_cast<float*>(dst.get_data_handle());
          parallel_for(x[0] * x[2], [&](int64_t row) {
            softmax_pixels(in + row * width * channels, out + row * width * channels, width, channels);
          });
        }});
      } else {
        dnnl::softmax_forward::desc d(dnnl::prop_kind::forward_inference, src.get_desc(), 1);
        add(dnnl::softmax_forward(dnnl::softmax_forward::primitive_desc(d, engine)),
            {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
      }
      values[n.output] = dst;
      return;
    }
    if (op == "Slice" || op == "Pad") {
      // Both copy a window: Slice from the window of its input, Pad into the window of its output, whose border
      // keeps the constant written here once (so its bytes are its own, not shared with other values).
      const memory src = in_layout(n.inputs[0], act_desc(x));
      const bool pad = op == "Pad";
      const memory dst = pad ? new_memory(act_desc(y)) : new_value(act_desc(y));
      if (pad) std::fill_n(static_cast<float*>(dst.get_data_handle()), dst.get_desc().get_size() / sizeof(float), n.pad_value);
      const Dims& small = pad ? x : y;
      const Dims offsets = pad ? Dims{0, 0, n.pads[0], n.pads[1]} : n.slice_begin;
      const memory::dims sub_dims(small.begin(), small.end()), sub_offsets(offsets.begin(), offsets.end());
      const memory& whole = pad ? dst : src;
      const memory window = view(whole, whole.get_desc().submemory_desc(sub_dims, sub_offsets));
      const memory& from = pad ? src : window;
      const memory& to = pad ? window : dst;
      add(dnnl::reorder(from, to), {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}});
      values[n.output] = dst;
      return;
    }
    if (op == "Resize") return lower_resize(n, x, y);
    // An element-wise op no convolution took in.
    values[n.output] = standalone(n, value(n, n.inputs[0]), x, n.epilogue);
  }

  void lower_convolution(const FusedNode& n, const Dims& x, const Dims& y) {
    const bool transposed = n.op() == "ConvTranspose";
    const std::string& weight_name = n.inputs.at(1);
    const Dims& wd = weight_of(n).dims;
    const int64_t group = n.group;
    const auto &s = n.strides, &d = n.dilations;
    const int64_t out_channels = y[1], in_channels = x[1];
    // oneDNN's weight dimensions are (g,) oc, ic, kh, kw whatever the storage order: ONNX stores a convolution's as
    // oc-major, a transposed convolution's as ic-major ("iohw").
    Dims dims = {out_channels / group, in_channels / group, wd[2], wd[3]};
    if (group > 1) dims.insert(dims.begin(), group);
    using tag = memory::format_tag;
    const tag user_tag = transposed ? (group > 1 ? tag::giohw : tag::iohw) : (group > 1 ? tag::goihw : tag::oihw);
    const memory user_weights = constant(n, weight_name, dims, user_tag);
    memory bias = new_memory(plain_desc({out_channels}));
    if (n.inputs.size() > 2 && !n.inputs[2].empty()) bias = constant(n, n.inputs[2], {out_channels}, tag::a);
    else std::fill_n(static_cast<float*>(bias.get_data_handle()), out_channels, 0.f);

    const memory::dims strides{s[0], s[1]}, dilation{d[0] - 1, d[1] - 1};
    const memory::dims pad_l{n.pads[0], n.pads[1]}, pad_r{n.pads[2], n.pads[3]};
    if (n.pads[2] < 0 || n.pads[3] < 0) fail_node(n.proto, "output padding beyond the padding is not supported");
    const memory::desc src_md = act_desc(x), w_any = any_desc(dims), dst_md = act_desc(y);

    // As much of the epilogue fused as oneDNN has an optimised kernel for; the rest runs as primitives of its own.
    for (size_t fused = n.epilogue.size();; --fused) {
      const std::vector<Epilogue> head(n.epilogue.begin(), n.epilogue.begin() + static_cast<std::ptrdiff_t>(fused));
      const std::vector<Epilogue> tail(n.epilogue.begin() + static_cast<std::ptrdiff_t>(fused), n.epilogue.end());
      Args args;
      const dnnl::primitive_attr attr = post_ops(n, head, y, args);
      dnnl::primitive primitive;
      memory::desc weights_desc;
      std::string impl;
      try {
        if (transposed) {
          dnnl::deconvolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
                                                 src_md, w_any, bias.get_desc(), dst_md, strides, dilation, pad_l, pad_r);
          dnnl::deconvolution_forward::primitive_desc pd(desc, attr, engine);
          primitive = dnnl::deconvolution_forward(pd);
          weights_desc = pd.weights_desc(), impl = pd.impl_info_str();
        } else {
          dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                               src_md, w_any, bias.get_desc(), dst_md, strides, dilation, pad_l, pad_r);
          dnnl::convolution_forward::primitive_desc pd(desc, attr, engine);
          primitive = dnnl::convolution_forward(pd);
          weights_desc = pd.weights_desc(), impl = pd.impl_info_str();
        }
      } catch (const dnnl::error& e) {
        if (fused == 0) fail_node(n.proto, std::string("oneDNN has no kernel for it: ") + e.what());
        continue;
      }
      if (fused > 0 && impl.rfind("ref", 0) == 0) continue;  // a reference kernel: slower than running apart
      memory dst = new_value(dst_md);
      args[DNNL_ARG_SRC] = in_layout(n.inputs[0], src_md);
      args[DNNL_ARG_WEIGHTS] = prepacked(user_weights, weights_desc);
      args[DNNL_ARG_BIAS] = bias;
      args[DNNL_ARG_DST] = dst;
      add(primitive, std::move(args));
      values[n.output] = standalone(n, dst, y, tail);
      return;
    }
  }

  // A transposed convolution as one matrix product and one gathering pass, channels-last:
  //   columns[pixel][ky, kx, oc] = sum over ic of input[pixel][ic] * weight[ic][oc][ky][kx]   (oneDNN matmul)
  //   output[oy][ox][oc] = bias[oc] + sum of columns[iy, ix][ky, kx, oc] where iy * s + ky * d - pad == oy (and x)
  // or, with few channels, each output summed straight from input[iy][ix][ic] * weight[ic][oc][ky][kx].
  // oneDNN 2.6's own strided transposed convolution computes the zero-inserted input and is several times slower.
  void lower_transposed(const FusedNode& n, const Dims& x, const Dims& y) {
    const GraphConstant& w = weight_of(n);
    const auto &s = n.strides, &d = n.dilations;
    const int64_t batch = x[0], in_c = x[1], in_h = x[2], in_w = x[3], out_c = y[1], out_h = y[2], out_w = y[3];
    const int64_t kh = w.dims[2], kw = w.dims[3], width = kh * kw * out_c;
    if (w.floats.size() != static_cast<size_t>(in_c * width))
      fail_node(n.proto, "the weight is not a float tensor of its size");
    std::vector<float> bias(static_cast<size_t>(out_c), 0.f);
    if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
      const auto found = graph.constants.find(n.inputs[2]);
      if (found == graph.constants.end()) fail_node(n.proto, "the bias must be a constant");
      const auto& b = found->second.floats;
      if (b.size() != bias.size()) fail_node(n.proto, "the bias does not match the output channels");
      bias = b;
    }
    // Leading ReLU / Clip steps of the epilogue are applied while summing; the rest run apart.
    float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
    size_t inline_steps = 0;
    for (; inline_steps < n.epilogue.size(); ++inline_steps) {
      const auto& e = n.epilogue[inline_steps];
      if (e.kind == Epilogue::Kind::Relu) lo = std::max(lo, 0.f), hi = std::max(hi, 0.f);
      else if (e.kind == Epilogue::Kind::Clip) lo = std::min(std::max(lo, e.lo), e.hi), hi = std::min(std::max(hi, e.lo), e.hi);
      else break;
    }
    const memory src = in_layout(n.inputs[0], act_desc(x));
    const memory dst = new_value(act_desc(y));
    const AxisTaps rows = transposed_taps(out_h, in_h, kh, s[0], d[0], n.pads[0]);
    const AxisTaps cols_taps = transposed_taps(out_w, in_w, kw, s[1], d[1], n.pads[1]);
    const GatherShape shape{in_w, out_w, out_c, kw, width, lo, hi, s[1]};
    const auto epilogue_rest = [&] {
      return std::vector<Epilogue>(n.epilogue.begin() + static_cast<std::ptrdiff_t>(inline_steps), n.epilogue.end());
    };
    // The ONNX weight [ic][oc][ky][kx] rearranged: element (ic, oc, k = ky * kw + kx) goes to at(ic, oc, k).
    const auto rearranged = [&](auto at) {
      std::vector<float> out(w.floats.size());
      for (int64_t ic = 0; ic < in_c; ++ic)
        for (int64_t oc = 0; oc < out_c; ++oc)
          for (int64_t k = 0; k < kh * kw; ++k)
            out[static_cast<size_t>(at(ic, oc, k))] = w.floats[static_cast<size_t>((ic * out_c + oc) * kh * kw + k)];
      return out;
    };

    if (direct_transposed(in_c, out_c)) {
      const std::vector<float> weights =  // [ky][kx][ic][oc]
          rearranged([&](int64_t ic, int64_t oc, int64_t k) { return (k * in_c + ic) * out_c + oc; });
      steps.push_back(Step{{}, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}}, [=] {
        const auto* input = static_cast<const float*>(src.get_data_handle());
        auto* out = static_cast<float*>(dst.get_data_handle());
        parallel_for(batch * out_h, [&](int64_t row) {
          const int64_t b = row / out_h;
          direct_output_row(input + b * in_h * in_w * in_c, weights.data(), bias.data(), out + row * out_w * out_c, rows,
                            row % out_h, cols_taps, shape, in_c);
        });
      }});
      values[n.output] = standalone(n, dst, y, epilogue_rest());
      return;
    }

    const std::vector<float> matrix =  // [ic][ky, kx, oc]
        rearranged([&](int64_t ic, int64_t oc, int64_t k) { return ic * width + k * out_c + oc; });
    const int64_t pixels = batch * in_h * in_w;
    const memory::desc src_md({pixels, in_c}, memory::data_type::f32, memory::format_tag::ab);
    const memory::desc cols_md({pixels, width}, memory::data_type::f32, memory::format_tag::ab);
    const memory::desc w_user_md({in_c, width}, memory::data_type::f32, memory::format_tag::ab);
    dnnl::matmul::primitive_desc pd(
        dnnl::matmul::desc(src_md, memory::desc({in_c, width}, memory::data_type::f32, memory::format_tag::any), cols_md),
        engine);
    memory weights(w_user_md, engine);
    std::memcpy(weights.get_data_handle(), matrix.data(), matrix.size() * sizeof(float));
    weights = prepacked(weights, pd.weights_desc());
    const memory src_2d = view(src, src_md);
    const memory cols = new_value(cols_md);
    add(dnnl::matmul(pd), {{DNNL_ARG_SRC, src_2d}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, cols}});
    steps.push_back(Step{{}, {{DNNL_ARG_SRC, cols}, {DNNL_ARG_DST, dst}}, [=] {
      const auto* columns = static_cast<const float*>(cols.get_data_handle());
      auto* out = static_cast<float*>(dst.get_data_handle());
      parallel_for(batch * out_h, [&](int64_t row) {
        const int64_t b = row / out_h;
        gather_output_row(columns + b * in_h * in_w * width, bias.data(), out + row * out_w * out_c, rows, row % out_h,
                          cols_taps, shape);
      });
    }});
    values[n.output] = standalone(n, dst, y, epilogue_rest());
  }

  void lower_pooling(const FusedNode& n, const Dims& x, const Dims& y) {
    const bool global = n.op() == "GlobalAveragePool";
    const std::array<int64_t, 2> k = global ? std::array<int64_t, 2>{x[2], x[3]} : n.kernel;
    const std::array<int64_t, 2> s = global ? std::array<int64_t, 2>{1, 1} : n.strides;
    // ceil_mode's extra output row and column read past the end: padding on the right as oneDNN counts it.
    const memory::dims pad_l{n.pads[0], n.pads[1]},
        pad_r{(y[2] - 1) * s[0] + k[0] - x[2] - n.pads[0], (y[3] - 1) * s[1] + k[1] - x[3] - n.pads[1]};
    dnnl::algorithm algorithm = dnnl::algorithm::pooling_max;
    if (n.op() != "MaxPool")
      algorithm = attr_int(n.proto, "count_include_pad", 0) ? dnnl::algorithm::pooling_avg_include_padding
                                                            : dnnl::algorithm::pooling_avg_exclude_padding;
    const memory src = in_layout(n.inputs[0], act_desc(x));
    dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm, src.get_desc(), act_desc(y),
                                     {s[0], s[1]}, {k[0], k[1]}, pad_l, pad_r);
    dnnl::pooling_forward::primitive_desc pd(desc, engine);
    memory dst = new_value(pd.dst_desc());
    Args args{{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
    if (pd.workspace_desc().get_size() > 0) args[DNNL_ARG_WORKSPACE] = new_value(pd.workspace_desc());
    add(dnnl::pooling_forward(pd), std::move(args));
    values[n.output] = dst;
  }

  void lower_resize(const FusedNode& n, const Dims& x, const Dims& y) {
    const std::string mode = attr_string(n.proto, "coordinate_transformation_mode", "half_pixel");
    const auto& scales = graph.constants.at(n.inputs.at(2)).floats;
    ResizeTaps rows, cols;
    try {
      rows = linear_resize_taps(x[2], scales[2], mode);
      cols = linear_resize_taps(x[3], scales[3], mode);
    } catch (const std::invalid_argument& e) {
      fail_node(n.proto, e.what());
    }
    const memory src = in_layout(n.inputs[0], act_desc(x));
    const memory dst = new_value(act_desc(y));
    const int64_t channels = x[1], in_h = x[2], in_w = x[3], out_h = y[2], out_w = y[3];
    steps.push_back(Step{{}, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}}, [=] {
      const auto* in = static_cast<const float*>(src.get_data_handle());
      auto* out = static_cast<float*>(dst.get_data_handle());
      parallel_for(x[0] * out_h, [&](int64_t row) {
        const int64_t b = row / out_h, i = row % out_h;
        resize_row(in + (b * in_h + rows.lo[i]) * in_w * channels, in + (b * in_h + rows.hi[i]) * in_w * channels,
                   rows.w[i], cols, channels, out + row * out_w * channels);
      });
    }});
    values[n.output] = dst;
  }
};

OnednnNet::OnednnNet(const onnx::ModelProto& model) {
  try {
    impl_ = std::make_unique<Impl>(model);
  } catch (const dnnl::error& e) {
    throw std::runtime_error(std::string("oneDNN cannot compile the graph: ") + e.what());
  } catch (const std::logic_error& e) {  // a lookup or size a malformed graph got past the checks
    throw std::runtime_error(std::string("malformed ONNX graph: ") + e.what());
  }
}
OnednnNet::~OnednnNet() = default;
OnednnNet::OnednnNet(OnednnNet&&) noexcept = default;
OnednnNet& OnednnNet::operator=(OnednnNet&&) noexcept = default;

const std::vector<int64_t>& OnednnNet::input_dims() const { return impl_->input_dims; }
const std::vector<int64_t>& OnednnNet::output_dims() const { return impl_->output_dims; }
size_t OnednnNet::activation_bytes() const { return impl_->activation_bytes; }

void OnednnNet::run(const float* input, float* output) {
  auto& m = *impl_;
  std::memcpy(m.input.get_data_handle(), input, m.input.get_desc().get_size());
  try {
    for (auto& step : m.steps) {
      if (step.custom) {
        m.stream.wait();
        step.custom();
      } else {
        step.primitive.execute(m.stream, step.args);
      }
    }
    m.stream.wait();
  } catch (const dnnl::error& e) {
    throw std::runtime_error(std::string("oneDNN cannot run the graph: ") + e.what());
  }
  std::memcpy(output, m.output.get_data_handle(), m.output.get_desc().get_size());
}

}  // namespace pseg
