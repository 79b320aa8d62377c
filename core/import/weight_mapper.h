#pragma once
// The one mapping of a source file's weighted ops onto a net, shared by the graph importers (ONNX, TFLite).
//
// The weighted ops (convolutions, transposed convolutions, BatchNorms, PReLUs) in the file's execution order map onto
// the net's weighted modules (Conv2d, ConvTranspose2d, BatchNorm2d, PReLU) in registration order, which each net keeps
// equal to its forward order (nets.md §3.3). Each pair must agree in kind, weight shape, stride, dilation and groups.
// BatchNorm folded in the source: a net BatchNorm2d with no BatchNorm op in the file becomes an exact identity that
// carries the folded convolution bias (when the net's convolution has none). A bias of exactly zero for a convolution
// the net builds without one (converters add them to depthwise halves of separable convolutions) is dropped.
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/model_io/weight_copy.h"
#include "nets/segnet.h"

namespace pseg {

struct SourceOp {
  std::string kind;   // "Conv" | "ConvTranspose" | "BatchNormalization" | "PRelu" (ONNX op names)
  std::string label;  // for messages: the op, its name and position in the file
  // Constants in torch layout: weight [, bias] | BN scale, bias, mean, variance | PReLU slope.
  std::vector<torch::Tensor> inputs;
  std::vector<std::string> input_labels;  // for messages, one per input
  std::vector<int64_t> strides{1, 1};
  std::vector<int64_t> dilations{1, 1};
  int64_t groups = 1;
  double epsilon = 1e-5;  // BatchNorm
};

// Reorders `ops` (the file's execution order) into the net's module order where the file ran independent branches in
// another order (converters schedule a graph in any topological order): for each net module in turn, the first op
// whose weighted predecessors (`depends_on[i]`: indices into `ops` of the weighted ops whose outputs reach op i) are
// all placed and whose kind and weight shape fit that module. Ops that fit nowhere keep their order at the end,
// where map_weighted_ops reports them.
std::vector<SourceOp> align_to_net(std::vector<SourceOp> ops, const std::vector<std::vector<size_t>>& depends_on,
                                   SegNetImpl& net);

// Throws std::invalid_argument naming `path`, the op and the net module where the file does not fit the net (kind,
// count, shape, stride, dilation, groups, a bias with nowhere to go).
ImportStats map_weighted_ops(const std::string& path, std::vector<SourceOp> ops, SegNetImpl& net);

}  // namespace pseg
