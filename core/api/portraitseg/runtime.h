#pragma once
// Process-wide settings of the library.
#include <string>

#include "portraitseg/errors.h"

namespace portraitseg {

// Intra-op threads of LibTorch and OpenCV for the whole process; 0 = the cores the process may run on (its CPU
// affinity).
void set_threads(int threads);

// Level of the library's log lines (to stdout): "trace", "debug", "info" (default), "warn", "error" or "off".
void set_log_level(const std::string& level);

}  // namespace portraitseg
