// The launcher's engines (core/infer/engine_registry.h): those that need no LibTorch, oneDNN then OpenCV DNN for fp32
// ONNX files, as in core/infer/builtin_engines.cpp.
#include "core/infer/engine_registry.h"

namespace pseg {

EngineEntry onednn_engine();
EngineEntry opencv_engine();

std::vector<EngineEntry> builtin_engines() { return {onednn_engine(), opencv_engine()}; }

}  // namespace pseg
