#pragma once
// Reading an ONNX file into its protobuf, without LibTorch: the model's metadata (core/model_io/model_meta.h) and
// the executor (core/onnx_exec/onnx_executor.h) both start here.
#include <onnx/onnx_pb.h>

#include <string>

namespace pseg {

// Reads an ONNX file; throws std::runtime_error naming it when it is missing or not an ONNX model.
onnx::ModelProto read_onnx_model(const std::string& path);

}  // namespace pseg
