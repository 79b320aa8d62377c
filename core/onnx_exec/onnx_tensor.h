#pragma once
// ONNX TensorProto <-> LibTorch tensor: the one place that knows how initializers are stored.
#include <onnx/onnx_pb.h>
#include <torch/types.h>

#include <string>

namespace pseg {

// ONNX element type for a LibTorch scalar type (FLOAT, FLOAT16, UINT8, INT8, INT32, INT64, BOOL, ...).
// Throws std::runtime_error for a type ONNX export does not use.
int32_t onnx_elem_type(c10::ScalarType t);
// The LibTorch scalar type for an ONNX element type; throws std::runtime_error naming it when unsupported.
c10::ScalarType torch_type_of(int32_t onnx_elem_type);

// A CPU tensor holding the initializer's values (raw_data or the typed fields). Throws std::runtime_error naming
// the tensor when its data does not match its type and dimensions.
torch::Tensor tensor_from_proto(const onnx::TensorProto& proto);
// Fills `proto` (name kept) with `t`'s type, dimensions and values as raw_data.
void tensor_to_proto(const torch::Tensor& t, onnx::TensorProto& proto);

}  // namespace pseg
