#pragma once
// Lowers a traced SegNet graph (ATen ops, parameters as module attributes) to ONNX nodes and initializers,
// one emitter per op, with the encodings OpenCV 4.6 accepts (export.md §3.3-3.5, §4). An op without a
// lowering is an error naming it, never a silently different graph.
#include <onnx/onnx_pb.h>

#include <cstdint>

#include "core/export/tracing.h"

namespace pseg {

struct LoweringOptions {
  int64_t opset = 13;
  bool fold_bn = true;  // fold eval BatchNorm into the preceding convolution where it directly follows one
};

struct LoweringStats {
  int64_t bn_folded = 0;  // BatchNorms folded into convolutions
  int64_t bn_kept = 0;    // BatchNorms emitted as BatchNormalization
  int64_t nodes = 0;
};

// Fills `graph` with nodes and initializers computing the traced graph's single output from its input.
// The ONNX graph input is named "input", the output "output"; ValueInfos are left to the caller.
// Throws std::runtime_error naming the ATen op when it cannot be lowered.
LoweringStats lower_traced_graph(const TracedNet& traced, const LoweringOptions& options, onnx::GraphProto& graph);

}  // namespace pseg
