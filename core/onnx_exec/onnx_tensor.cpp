#include "core/onnx_exec/onnx_tensor.h"

#include <torch/torch.h>

#include <cstring>
#include <stdexcept>

namespace pseg {

int32_t onnx_elem_type(c10::ScalarType t) {
  switch (t) {
    case c10::ScalarType::Float: return onnx::TensorProto::FLOAT;
    case c10::ScalarType::Double: return onnx::TensorProto::DOUBLE;
    case c10::ScalarType::Half: return onnx::TensorProto::FLOAT16;
    case c10::ScalarType::Byte: return onnx::TensorProto::UINT8;
    case c10::ScalarType::Char: return onnx::TensorProto::INT8;
    case c10::ScalarType::Int: return onnx::TensorProto::INT32;
    case c10::ScalarType::Long: return onnx::TensorProto::INT64;
    case c10::ScalarType::Bool: return onnx::TensorProto::BOOL;
    default: throw std::runtime_error(std::string("ONNX: unsupported element type ") + c10::toString(t));
  }
}

c10::ScalarType torch_type_of(int32_t t) {
  switch (t) {
    case onnx::TensorProto::FLOAT: return torch::kFloat;
    case onnx::TensorProto::DOUBLE: return torch::kDouble;
    case onnx::TensorProto::FLOAT16: return torch::kHalf;
    case onnx::TensorProto::UINT8: return torch::kByte;
    case onnx::TensorProto::INT8: return torch::kChar;
    case onnx::TensorProto::INT32: return torch::kInt;
    case onnx::TensorProto::INT64: return torch::kLong;
    case onnx::TensorProto::BOOL: return torch::kBool;
    default: throw std::runtime_error("ONNX: unsupported element type " + std::to_string(t));
  }
}

torch::Tensor tensor_from_proto(const onnx::TensorProto& p) {
  const c10::ScalarType type = torch_type_of(p.data_type());
  std::vector<int64_t> dims(p.dims().begin(), p.dims().end());
  // The element count is checked against the data before anything is allocated: a corrupt file cannot ask for more
  // memory than it holds.
  int64_t count = 1;
  for (auto d : dims) {
    if (d < 0 || (d > 0 && count > (int64_t{1} << 40) / d))
      throw std::runtime_error("ONNX initializer " + p.name() + ": impossible dimension " + std::to_string(d));
    count *= d;
  }
  const size_t element = c10::elementSize(type);
  auto mismatch = [&](size_t got) {
    return std::runtime_error("ONNX initializer " + p.name() + ": " + std::to_string(got) + " values for " +
                              std::to_string(count) + " elements");
  };
  if (p.has_raw_data() && p.raw_data().size() != static_cast<size_t>(count) * element)
    throw mismatch(p.raw_data().size() / element);
  if (!p.has_raw_data()) {
    int64_t stored = 0;  // values in the typed field this element type uses
    switch (p.data_type()) {
      case onnx::TensorProto::FLOAT: stored = p.float_data_size(); break;
      case onnx::TensorProto::DOUBLE: stored = p.double_data_size(); break;
      case onnx::TensorProto::INT64: stored = p.int64_data_size(); break;
      default: stored = p.int32_data_size(); break;
    }
    if (stored != count) throw mismatch(static_cast<size_t>(stored));
  }
  torch::Tensor t = torch::empty(dims, torch::TensorOptions().dtype(type));
  if (p.has_raw_data()) {
    if (count) std::memcpy(t.data_ptr(), p.raw_data().data(), p.raw_data().size());
    return t;
  }
  auto fill = [&](const auto& field, auto cast) {
    if (static_cast<int64_t>(field.size()) != count) throw mismatch(static_cast<size_t>(field.size()));
    for (int64_t i = 0; i < count; ++i) cast(i, field.Get(static_cast<int>(i)));
  };
  switch (p.data_type()) {
    case onnx::TensorProto::FLOAT: fill(p.float_data(), [&](int64_t i, float v) { t.data_ptr<float>()[i] = v; }); break;
    case onnx::TensorProto::DOUBLE: fill(p.double_data(), [&](int64_t i, double v) { t.data_ptr<double>()[i] = v; }); break;
    case onnx::TensorProto::INT64: fill(p.int64_data(), [&](int64_t i, int64_t v) { t.data_ptr<int64_t>()[i] = v; }); break;
    case onnx::TensorProto::INT32: fill(p.int32_data(), [&](int64_t i, int32_t v) { t.data_ptr<int32_t>()[i] = v; }); break;
    case onnx::TensorProto::INT8:
      fill(p.int32_data(), [&](int64_t i, int32_t v) { t.data_ptr<int8_t>()[i] = static_cast<int8_t>(v); });
      break;
    case onnx::TensorProto::UINT8:
      fill(p.int32_data(), [&](int64_t i, int32_t v) { t.data_ptr<uint8_t>()[i] = static_cast<uint8_t>(v); });
      break;
    case onnx::TensorProto::BOOL:
      fill(p.int32_data(), [&](int64_t i, int32_t v) { t.data_ptr<bool>()[i] = v != 0; });
      break;
    case onnx::TensorProto::FLOAT16:  // the bits of each half in the low 16 bits of an int32
      fill(p.int32_data(), [&](int64_t i, int32_t v) {
        const uint16_t bits = static_cast<uint16_t>(v);
        std::memcpy(static_cast<char*>(t.data_ptr()) + 2 * i, &bits, 2);
      });
      break;
    default: throw std::runtime_error("ONNX initializer " + p.name() + ": unsupported element type");
  }
  return t;
}

void tensor_to_proto(const torch::Tensor& t, onnx::TensorProto& proto) {
  const torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
  proto.clear_dims();
  proto.clear_float_data();
  proto.clear_int32_data();
  proto.clear_int64_data();
  proto.clear_double_data();
  proto.set_data_type(onnx_elem_type(c.scalar_type()));
  for (auto d : c.sizes()) proto.add_dims(d);
  proto.set_raw_data(std::string(static_cast<const char*>(c.data_ptr()), c.nbytes()));
}

}  // namespace pseg
