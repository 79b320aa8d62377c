#include "core/infer/engine_registry.h"

namespace pseg {

// Each engine file defines its entry; adding an engine = its file plus one line here. The order is the preference
// among engines opening the same files: oneDNN first for fp32 ONNX files (the fastest on CPUs), OpenCV DNN where
// oneDNN cannot run a graph, onnx-torch for reduced precision.
EngineEntry libtorch_engine();
EngineEntry torchscript_engine();
EngineEntry opencv_engine();
EngineEntry onnx_torch_engine();
EngineEntry onednn_engine();

std::vector<EngineEntry> builtin_engines() {
  return {libtorch_engine(), torchscript_engine(), onednn_engine(), opencv_engine(), onnx_torch_engine()};
}

}  // namespace pseg
