#pragma once
// An exported fp32 ONNX graph compiled once into oneDNN primitives (Debian's libdnnl): the graph of
// core/onnx_exec/fused_graph.h, each convolution one primitive with its epilogue fused in as post-ops, activations
// kept in the blocked layouts oneDNN picks for this CPU, weights reordered into them once. Torch-free.
// Runs on oneDNN's OpenMP threads (omp_set_num_threads, or LibTorch's intra-op setting, which is the same pool).
#include <onnx/onnx_pb.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace pseg {

class OnednnNet {
 public:
  // Throws std::runtime_error naming the node it cannot compile.
  explicit OnednnNet(const onnx::ModelProto& model);
  ~OnednnNet();
  OnednnNet(OnednnNet&&) noexcept;
  OnednnNet& operator=(OnednnNet&&) noexcept;

  const std::vector<int64_t>& input_dims() const;   // N, C, H, W
  const std::vector<int64_t>& output_dims() const;  // N, C, H, W

  // Bytes of the one block that holds every value a run computes; values whose lives do not overlap share bytes
  // (core/onnx_exec/buffer_plan.h). Weights and the input are apart.
  size_t activation_bytes() const;

  // `input`: input_dims() floats, NCHW; writes output_dims() floats, NCHW, to `output`. Not reentrant: one call at
  // a time per object.
  void run(const float* input, float* output);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pseg
