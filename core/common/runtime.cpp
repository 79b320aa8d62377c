#include "core/common/runtime.h"

#include <opencv2/core.hpp>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <climits>
#include <thread>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "core/common/device.h"
#include "core/common/errors.h"

namespace pseg {

void set_intra_op_threads(int threads) {
  if (threads < 0) throw ConfigError("--threads " + std::to_string(threads) + ": must be >= 0");
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // LibTorch 1.13 assumes SMT and would use half the cores: set the count explicitly.
  at::set_num_threads(threads > 0 ? threads : hw);
  cv::setNumThreads(threads > 0 ? threads : hw);
  // Denormal floats make CPU kernels orders of magnitude slower; they never matter for these nets.
  at::globalContext().setFlushDenormal(true);
}

void apply_runtime(const RuntimeOptions& opts) {
  auto level = spdlog::level::from_str(opts.log_level);
  if (level == spdlog::level::off && opts.log_level != "off")
    throw ConfigError("--log-level " + opts.log_level + ": expected trace, debug, info, warn, error or off");
  if (opts.quiet && level < spdlog::level::warn) level = spdlog::level::warn;
  spdlog::set_level(level);
  spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");

  set_intra_op_threads(opts.threads);
  checked_device(opts.device);
  spdlog::debug("threads: {} intra-op, device {}", at::get_num_threads(), opts.device);
}

void keep_freed_memory_for_reuse() {
#ifdef __GLIBC__
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}

}  // namespace pseg
