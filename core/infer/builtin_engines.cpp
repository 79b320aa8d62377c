#include "core/infer/engine_registry.h"

namespace pseg {

// Each engine file defines its entry; adding an engine = its file plus one line here.
EngineEntry libtorch_engine();
EngineEntry torchscript_engine();
EngineEntry opencv_engine();
EngineEntry onnx_torch_engine();
EngineEntry onednn_engine();

std::vector<EngineEntry> builtin_engines() {
  return {libtorch_engine(), torchscript_engine(), opencv_engine(), onnx_torch_engine(), onednn_engine()};
}

}  // namespace pseg
