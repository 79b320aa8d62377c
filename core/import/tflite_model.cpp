#include "core/import/tflite_model.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>

namespace pseg {
namespace {

using flatbuffers::Offset;
using flatbuffers::Table;
using flatbuffers::Vector;
using TableVector = Vector<Offset<Table>>;

// Vtable slot of the field with schema id `id` (tflite.md §1).
constexpr flatbuffers::voffset_t slot(int id) { return static_cast<flatbuffers::voffset_t>(4 + 2 * id); }

// Field ids (tflite.md §2).
namespace model_field { constexpr int kOperatorCodes = 1, kSubgraphs = 2, kBuffers = 4; }
namespace subgraph_field { constexpr int kTensors = 0, kOperators = 3; }
namespace tensor_field { constexpr int kShape = 0, kType = 1, kBuffer = 2, kName = 3, kQuantization = 4, kSparsity = 6; }
namespace buffer_field { constexpr int kData = 0, kOffset = 1; }
namespace op_field { constexpr int kOpcodeIndex = 0, kInputs = 1, kOutputs = 2, kOptionsType = 3, kOptions = 4; }
namespace opcode_field { constexpr int kDeprecatedCode = 0, kCode = 3; }
namespace quant_field { constexpr int kScale = 2, kZeroPoint = 3, kDetailsType = 4, kDimension = 6; }

// Checks every table, vector and string the reader touches, so that a corrupt or hostile file fails here with a
// message instead of reading out of bounds later.
class Checker {
 public:
  Checker(const std::vector<uint8_t>& bytes, std::string path)
      : verifier_(bytes.data(), bytes.size()), path_(std::move(path)) {}

  void table(const Table* t, const char* what) {
    if (!t || !t->VerifyTableStart(verifier_)) fail(what);
  }
  template <typename T>
  void scalar(const Table* t, int id, const char* what) {
    if (!t->VerifyField<T>(verifier_, slot(id), sizeof(T))) fail(what);
  }
  template <typename V>
  const V* vector(const Table* t, int id, const char* what) {
    if (!t->VerifyOffset(verifier_, slot(id))) fail(what);
    const V* v = t->GetPointer<const V*>(slot(id));
    if (v && !verifier_.VerifyVector(v)) fail(what);
    return v;
  }
  const flatbuffers::String* string(const Table* t, int id, const char* what) {
    if (!t->VerifyOffset(verifier_, slot(id))) fail(what);
    const auto* s = t->GetPointer<const flatbuffers::String*>(slot(id));
    if (s && !verifier_.VerifyString(s)) fail(what);
    return s;
  }
  // The offset only: the caller verifies the sub-table itself (table() ... end()) if it reads it.
  const Table* sub_table(const Table* t, int id, const char* what) {
    if (!t->VerifyOffset(verifier_, slot(id))) fail(what);
    return t->GetPointer<const Table*>(slot(id));
  }
  void end() { verifier_.EndTable(); }

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(path_ + ": corrupt TFLite file (" + what + " fails verification)");
  }

 private:
  flatbuffers::Verifier verifier_;
  std::string path_;
};

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 8 || !flatbuffers::BufferHasIdentifier(bytes.data(), "TFL3"))
    throw std::runtime_error(path + ": not a TFLite model (no TFL3 identifier)");
  return bytes;
}

size_t element_size(int type) {
  switch (static_cast<TfliteType>(type)) {
    case TfliteType::Float32: case TfliteType::Int32: return 4;
    case TfliteType::Float16: return 2;
    case TfliteType::UInt8: case TfliteType::Int8: return 1;
    case TfliteType::Int64: return 8;
  }
  return 0;
}

std::vector<std::vector<uint8_t>> read_buffers(Checker& c, const Table* model) {
  std::vector<std::vector<uint8_t>> buffers;
  const TableVector* list = c.vector<TableVector>(model, model_field::kBuffers, "Model.buffers");
  if (!list) return buffers;
  for (const Table* b : *list) {
    c.table(b, "Buffer");
    const auto* data = c.vector<Vector<uint8_t>>(b, buffer_field::kData, "Buffer.data");
    c.scalar<uint64_t>(b, buffer_field::kOffset, "Buffer.offset");
    if (b->GetField<uint64_t>(slot(buffer_field::kOffset), 0) != 0) c.fail("a buffer stored outside the flatbuffer");
    c.end();
    buffers.emplace_back(data ? std::vector<uint8_t>(data->begin(), data->end()) : std::vector<uint8_t>());
  }
  return buffers;
}

void read_quantization(Checker& c, const Table* q, TfliteTensor& t) {
  c.table(q, "QuantizationParameters");
  const auto* scales = c.vector<Vector<float>>(q, quant_field::kScale, "QuantizationParameters.scale");
  const auto* zeros = c.vector<Vector<int64_t>>(q, quant_field::kZeroPoint, "QuantizationParameters.zero_point");
  c.scalar<uint8_t>(q, quant_field::kDetailsType, "QuantizationParameters.details_type");
  c.scalar<int32_t>(q, quant_field::kDimension, "QuantizationParameters.quantized_dimension");
  c.end();
  if (q->GetField<uint8_t>(slot(quant_field::kDetailsType), 0) != 0)
    c.fail("tensor \"" + t.name + "\": a custom quantisation scheme");
  if (scales) t.scales.assign(scales->begin(), scales->end());
  if (zeros) t.zero_points.assign(zeros->begin(), zeros->end());
  t.quantized_dimension = q->GetField<int32_t>(slot(quant_field::kDimension), 0);
}

std::vector<TfliteTensor> read_tensors(Checker& c, const Table* subgraph, std::vector<std::vector<uint8_t>>& buffers) {
  std::vector<TfliteTensor> tensors;
  const TableVector* list = c.vector<TableVector>(subgraph, subgraph_field::kTensors, "SubGraph.tensors");
  if (!list) c.fail("SubGraph.tensors (absent)");
  for (const Table* raw : *list) {
    c.table(raw, "Tensor");
    TfliteTensor t;
    if (const auto* name = c.string(raw, tensor_field::kName, "Tensor.name")) t.name = name->str();
    if (const auto* shape = c.vector<Vector<int32_t>>(raw, tensor_field::kShape, "Tensor.shape"))
      t.shape.assign(shape->begin(), shape->end());
    c.scalar<int8_t>(raw, tensor_field::kType, "Tensor.type");
    c.scalar<uint32_t>(raw, tensor_field::kBuffer, "Tensor.buffer");
    t.type = raw->GetField<int8_t>(slot(tensor_field::kType), 0);
    if (raw->CheckField(slot(tensor_field::kSparsity))) c.fail("tensor \"" + t.name + "\": sparse tensors are not supported");
    if (const Table* q = c.sub_table(raw, tensor_field::kQuantization, "Tensor.quantization")) read_quantization(c, q, t);
    c.end();
    const uint32_t buffer = raw->GetField<uint32_t>(slot(tensor_field::kBuffer), 0);
    if (buffer >= buffers.size() && buffer != 0) c.fail("tensor \"" + t.name + "\": buffer index out of range");
    if (buffer != 0 && !buffers[buffer].empty()) {
      t.data = buffers[buffer];
      const std::string mismatch =
          "tensor \"" + t.name + "\": data of " + std::to_string(t.data.size()) + " bytes for its shape and type";
      // Every element takes a byte at least, so a count past the data's size is a mismatch (and cannot overflow;
      // a product of large dimensions did, found by tests/fuzz/fuzz_import_tflite.cpp).
      const auto most = static_cast<int64_t>(t.data.size());
      int64_t count = 1;
      for (int64_t d : t.shape) {
        if (d < 0) c.fail("tensor \"" + t.name + "\": shape");
        if (d > 0 && count > most / d) c.fail(mismatch);
        count *= d;
      }
      const size_t size = element_size(t.type);
      if (size == 0 || static_cast<size_t>(count) * size != t.data.size()) c.fail(mismatch);
    }
    tensors.push_back(std::move(t));
  }
  return tensors;
}

std::vector<int> read_opcodes(Checker& c, const Table* model) {
  std::vector<int> codes;
  const TableVector* list = c.vector<TableVector>(model, model_field::kOperatorCodes, "Model.operator_codes");
  if (!list) return codes;
  for (const Table* raw : *list) {
    c.table(raw, "OperatorCode");
    c.scalar<int8_t>(raw, opcode_field::kDeprecatedCode, "OperatorCode.deprecated_builtin_code");
    c.scalar<int32_t>(raw, opcode_field::kCode, "OperatorCode.builtin_code");
    c.end();
    // Old writers fill only the deprecated byte, new ones both (tflite.md §2).
    codes.push_back(std::max<int>(raw->GetField<int8_t>(slot(opcode_field::kDeprecatedCode), 0),
                                  raw->GetField<int32_t>(slot(opcode_field::kCode), 0)));
  }
  return codes;
}

std::vector<int32_t> indices(Checker& c, const Table* t, int id, const char* what, size_t tensors) {
  std::vector<int32_t> out;
  if (const auto* v = c.vector<Vector<int32_t>>(t, id, what)) out.assign(v->begin(), v->end());
  for (int32_t i : out)
    if (i < -1 || i >= static_cast<int32_t>(tensors)) c.fail(std::string(what) + " (tensor index out of range)");
  return out;
}

// Conv2DOptions, DepthwiseConv2DOptions, TransposeConvOptions and Pool2DOptions (tflite.md §4).
void read_geometry(Checker& c, const Table* options, int code, TfliteOp& op) {
  c.table(options, "builtin options");
  const auto field = [&](int id, int64_t fallback) {
    c.scalar<int32_t>(options, id, "builtin options field");
    return options->GetField<int32_t>(slot(id), static_cast<int32_t>(fallback));
  };
  if (code == tflite_op::kConv2d || code == tflite_op::kDepthwiseConv2d || code == tflite_op::kTransposeConv) {
    op.stride_w = field(1, 1);
    op.stride_h = field(2, 1);
  }
  if (code == tflite_op::kConv2d) {
    op.dilation_w = field(4, 1);
    op.dilation_h = field(5, 1);
  } else if (code == tflite_op::kDepthwiseConv2d) {
    op.depth_multiplier = field(3, 1);
    op.dilation_w = field(5, 1);
    op.dilation_h = field(6, 1);
  }
  c.end();
}

std::vector<TfliteOp> read_ops(Checker& c, const Table* subgraph, const std::vector<int>& codes, size_t tensors) {
  std::vector<TfliteOp> ops;
  const TableVector* list = c.vector<TableVector>(subgraph, subgraph_field::kOperators, "SubGraph.operators");
  if (!list) return ops;
  for (const Table* raw : *list) {
    c.table(raw, "Operator");
    TfliteOp op;
    op.index = static_cast<int>(ops.size());
    c.scalar<uint32_t>(raw, op_field::kOpcodeIndex, "Operator.opcode_index");
    c.scalar<uint8_t>(raw, op_field::kOptionsType, "Operator.builtin_options_type");
    const uint32_t code_index = raw->GetField<uint32_t>(slot(op_field::kOpcodeIndex), 0);
    if (code_index >= codes.size()) c.fail("Operator.opcode_index (out of range)");
    op.code = codes[code_index];
    op.inputs = indices(c, raw, op_field::kInputs, "Operator.inputs", tensors);
    op.outputs = indices(c, raw, op_field::kOutputs, "Operator.outputs", tensors);
    const Table* options = c.sub_table(raw, op_field::kOptions, "Operator.builtin_options");
    c.end();
    const bool geometry = op.code == tflite_op::kConv2d || op.code == tflite_op::kDepthwiseConv2d ||
                          op.code == tflite_op::kTransposeConv;
    if (options && geometry) read_geometry(c, options, op.code, op);
    ops.push_back(std::move(op));
  }
  return ops;
}

}  // namespace

TfliteModel read_tflite(const std::string& path) {
  const std::vector<uint8_t> bytes = read_bytes(path);
  Checker c(bytes, path);
  const Table* model = flatbuffers::GetRoot<Table>(bytes.data());
  c.table(model, "Model");
  const std::vector<int> codes = read_opcodes(c, model);
  std::vector<std::vector<uint8_t>> buffers = read_buffers(c, model);
  const TableVector* subgraphs = c.vector<TableVector>(model, model_field::kSubgraphs, "Model.subgraphs");
  c.end();
  if (!subgraphs || subgraphs->size() != 1)
    throw std::runtime_error(path + ": expected one subgraph, found " + std::to_string(subgraphs ? subgraphs->size() : 0));
  const Table* subgraph = subgraphs->Get(0);
  c.table(subgraph, "SubGraph");
  TfliteModel m;
  m.tensors = read_tensors(c, subgraph, buffers);
  m.ops = read_ops(c, subgraph, codes, m.tensors.size());
  c.end();
  return m;
}

std::string tflite_op_name(int code) {
  static const std::map<int, std::string> names = {
      {0, "ADD"}, {1, "AVERAGE_POOL_2D"}, {2, "CONCATENATION"}, {3, "CONV_2D"}, {4, "DEPTHWISE_CONV_2D"},
      {6, "DEQUANTIZE"}, {9, "FULLY_CONNECTED"}, {14, "LOGISTIC"}, {17, "MAX_POOL_2D"}, {18, "MUL"}, {19, "RELU"},
      {21, "RELU6"}, {22, "RESHAPE"}, {23, "RESIZE_BILINEAR"}, {25, "SOFTMAX"}, {32, "CUSTOM"}, {34, "PAD"},
      {40, "MEAN"}, {41, "SUB"}, {45, "STRIDED_SLICE"}, {54, "PRELU"}, {67, "TRANSPOSE_CONV"},
      {97, "RESIZE_NEAREST_NEIGHBOR"}, {98, "LEAKY_RELU"}, {114, "QUANTIZE"}, {117, "HARD_SWISH"}};
  const auto it = names.find(code);
  return it == names.end() ? "op " + std::to_string(code) : it->second;
}

}  // namespace pseg
