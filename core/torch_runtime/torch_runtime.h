#pragma once
// core/torch_runtime: what LibTorch needs set up before a command runs: its intra-op threads, denormal handling and
// the device (core/torch_runtime/device.h). The torch-free settings are core/common/runtime.h.
#include "core/common/runtime.h"

namespace pseg {

// Intra-op threads of LibTorch and OpenCV (0 = the cores the process may run on) and flush-to-zero of denormals.
// Throws ConfigError for a negative count.
void set_intra_op_threads(int threads);
// apply_process_options, then LibTorch's threads; validates the device.
void apply_runtime(const RuntimeOptions& opts);

}  // namespace pseg
