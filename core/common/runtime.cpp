#include "core/common/runtime.h"

#include <opencv2/core.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <thread>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "core/common/errors.h"

namespace pseg {

int intra_op_thread_count(int threads) {
  if (threads < 0) throw ConfigError("--threads " + std::to_string(threads) + ": must be >= 0");
  return threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void apply_process_options(const RuntimeOptions& opts) {
  auto level = spdlog::level::from_str(opts.log_level);
  if (level == spdlog::level::off && opts.log_level != "off")
    throw ConfigError("--log-level " + opts.log_level + ": expected trace, debug, info, warn, error or off");
  if (opts.quiet && level < spdlog::level::warn) level = spdlog::level::warn;
  spdlog::set_level(level);
  spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
  cv::setNumThreads(intra_op_thread_count(opts.threads));
}

void keep_freed_memory_for_reuse() {
#ifdef __GLIBC__
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}

}  // namespace pseg
