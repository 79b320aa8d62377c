#pragma once
// A TFLite flatbuffer read without generated code (raw table access, field ids as in TensorFlow Lite's schema:
// specs/tflite.md §1–4), verified before use, and decoded into the plain tensors and ops an importer needs.
#include <cstdint>
#include <string>
#include <vector>

namespace pseg {

// TensorType values (tflite.md §3.1).
enum class TfliteType : int8_t { Float32 = 0, Float16 = 1, Int32 = 2, UInt8 = 3, Int64 = 4, Int8 = 9 };

struct TfliteTensor {
  std::string name;
  std::vector<int64_t> shape;
  int type = 0;                    // TfliteType
  std::vector<uint8_t> data;       // the constant's bytes, little-endian row-major; empty for activations
  std::vector<float> scales;       // quantisation: one (per tensor) or one per index of quantized_dimension
  std::vector<int64_t> zero_points;
  int64_t quantized_dimension = 0;
  bool constant() const { return !data.empty(); }
};

// Builtin operator codes the importers name (tflite.md §3.2).
namespace tflite_op {
constexpr int kAdd = 0, kConv2d = 3, kDepthwiseConv2d = 4, kDequantize = 6, kPrelu = 54, kTransposeConv = 67;
}

struct TfliteOp {
  int code = 0;        // BuiltinOperator
  int index = 0;       // position in execution order
  std::vector<int32_t> inputs;   // tensor indices, -1 = omitted
  std::vector<int32_t> outputs;
  // Geometry of convolutions and pools (absent fields have their schema defaults).
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t depth_multiplier = 1;
};

struct TfliteModel {
  std::vector<TfliteTensor> tensors;
  std::vector<TfliteOp> ops;  // subgraph 0, execution order
};

// Reads and verifies `path`. Throws std::runtime_error naming the file when it cannot be read, is not a TFLite
// model (identifier TFL3), fails verification, or uses what the importers do not support (several subgraphs,
// sparse tensors, external buffers, custom quantisation); the message says what was found.
TfliteModel read_tflite(const std::string& path);

// "CONV_2D" for 3, "op 200" for a code without a name here.
std::string tflite_op_name(int code);

}  // namespace pseg
