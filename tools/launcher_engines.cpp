// The launcher's engines (core/infer/engine_registry.h): OpenCV DNN alone, the one that needs no LibTorch.
#include "core/infer/engine_registry.h"

namespace pseg {

EngineEntry opencv_engine();

std::vector<EngineEntry> builtin_engines() { return {opencv_engine()}; }

}  // namespace pseg
