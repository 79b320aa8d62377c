#pragma once
// Milliseconds since a steady-clock time point, for the per-stage timings the runners report.
#include <chrono>

namespace pseg {

inline double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace pseg
