#pragma once
// Process-wide settings every command applies first: intra-op threads, logging, device checks.
#include <string>

namespace pseg {

struct RuntimeOptions {
  int threads = 0;              // 0 = all cores
  std::string device = "cpu";   // cpu | cuda | cuda:i
  std::string log_level = "info";
  bool quiet = false;
};

// Intra-op threads of LibTorch and OpenCV (0 = all cores) and flush-to-zero of denormals. Throws ConfigError for
// a negative count.
void set_intra_op_threads(int threads);

// Sets LibTorch intra-op threads and the log level; validates the device (core/common/device.h).
void apply_runtime(const RuntimeOptions& opts);

}  // namespace pseg
