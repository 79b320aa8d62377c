#include "core/onnx_exec/onnx_file.h"

#include <fstream>
#include <stdexcept>

namespace pseg {

onnx::ModelProto read_onnx_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&in)) throw std::runtime_error(path + ": not an ONNX model");
  return model;
}

}  // namespace pseg
