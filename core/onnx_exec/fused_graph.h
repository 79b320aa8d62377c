#pragma once
// An exported fp32 ONNX graph rewritten for a runtime with fused kernels (core/onnx_exec/onednn_net.h). Torch-free.
//  - constants (initializers, Constant nodes) are read once;
//  - every value's dimensions are inferred (the graphs portraitseg exports have fixed sizes);
//  - ReLU6 exported as Relu(x) - Relu(x - 6) becomes one Clip;
//  - a zero Pad in front of a convolution becomes the convolution's padding, a crop Slice after a transposed
//    convolution its output padding;
//  - element-wise ops right after a convolution (Relu, Clip, Sigmoid, PRelu, Add, Sub) become that convolution's
//    epilogue, so one kernel writes the activated output;
//  - a 1x1 convolution over the concatenation of a resized 1x1 map and another value (DeepLabV3's head, batch 1)
//    becomes a 1x1 convolution of the small map, added per channel in the other value's convolution's epilogue.
// What the rewrites cannot fold stays a node of its own.
#include <onnx/onnx_pb.h>

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace pseg {

struct GraphConstant {
  std::vector<int64_t> dims;
  std::vector<float> floats;  // FLOAT tensors
  std::vector<int64_t> ints;  // INT64 / INT32 tensors
};

// One element-wise step applied to a value: standalone, or fused after a convolution.
struct Epilogue {
  enum class Kind { Relu, Clip, Sigmoid, PRelu, Add, Sub, Mul };
  Kind kind = Kind::Relu;
  float lo = 0, hi = 0;  // Clip bounds
  std::string operand;   // PRelu's slope, or the second input of Add / Sub / Mul (a constant or a value)
};

struct FusedNode {
  onnx::NodeProto proto;            // the original node: op type, name, attributes
  std::vector<std::string> inputs;  // "" for an absent optional input
  std::string output;
  // Conv: padding top, left, bottom, right (its own plus a folded Pad). ConvTranspose: the rows and columns cut from
  // its full output at the top, left, bottom, right (its pads plus a folded Slice).
  std::array<int64_t, 4> pads{};
  // Conv, ConvTranspose, pooling: checked attributes (kernel: pooling only).
  std::array<int64_t, 2> strides{1, 1}, dilations{1, 1}, kernel{1, 1};
  int64_t group = 1;
  std::vector<Epilogue> epilogue;  // Conv / ConvTranspose: applied to the output, in order; element-wise ops: the op
  std::vector<int64_t> slice_begin;  // Slice: the first index kept on each axis
  float pad_value = 0;               // Pad: the constant written around the input
  const std::string& op() const { return proto.op_type(); }
};

struct FusedGraph {
  std::string input, output;
  std::unordered_map<std::string, GraphConstant> constants;
  std::unordered_map<std::string, std::vector<int64_t>> dims;  // every value's dimensions
  std::vector<FusedNode> nodes;                                // in execution order
};

// Throws std::runtime_error naming the node for what the rewrites and the shape inference do not know: an op
// outside the exported set, a dynamic shape, a non-constant where a constant is needed.
FusedGraph fuse_onnx_graph(const onnx::ModelProto& model);

// The linear-resize taps of one axis under an ONNX coordinate transformation mode, exactly as the ONNX spec
// computes them: output i reads input lo[i] and hi[i] with weight w[i] on hi. Throws std::invalid_argument for an
// unknown mode or a scale outside (0, 4096] (DeepLabV3 brings its pooled 1 x 1 branch back to 65 x 65).
struct ResizeTaps {
  std::vector<int64_t> lo, hi;
  std::vector<float> w;
};
ResizeTaps linear_resize_taps(int64_t in, double scale, const std::string& mode);

// The length of an axis of `in` resized by `scale`: floor(in * scale) computed in float, as onnxruntime and OpenCV
// do. Exporters pick the float scale that gives the size they want in float: DeepLabV3 at 769 brings its 97 x 97
// map back with 7.927835f, and 97 * 7.927835f is 769 in float but 768.99999 in double.
int64_t resize_output_size(int64_t in, float scale);

}  // namespace pseg
