#include "core/common/runtime.h"

#include <opencv2/core.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <thread>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef __linux__
#include <sched.h>
#endif
#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__SSE__) || defined(__x86_64__)
#include <pmmintrin.h>
#endif

#include "core/common/errors.h"

namespace pseg {

int usable_cores() {
#ifdef __linux__
  cpu_set_t set;
  const int count = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 0;
  if (count > 0) return count;
#endif
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

int intra_op_thread_count(int threads) {
  if (threads < 0) throw ConfigError("--threads " + std::to_string(threads) + ": must be >= 0");
  return threads > 0 ? threads : usable_cores();
}

void apply_process_options(const RuntimeOptions& opts) {
  auto level = spdlog::level::from_str(opts.log_level);
  if (level == spdlog::level::off && opts.log_level != "off")
    throw ConfigError("--log-level " + opts.log_level + ": expected trace, debug, info, warn, error or off");
  if (opts.quiet && level < spdlog::level::warn) level = spdlog::level::warn;
  spdlog::set_level(level);
  spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
  const int threads = intra_op_thread_count(opts.threads);
  cv::setNumThreads(threads);
#ifdef _OPENMP
  omp_set_num_threads(threads);  // oneDNN's pool (and LibTorch's, which sets it again)
#endif
#if defined(__SSE__) || defined(__x86_64__)
  // Denormal floats make CPU kernels orders of magnitude slower and never matter for these nets. Set before any
  // worker thread starts, so that the pools inherit it.
  _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
  _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
#endif
}

OpenMpThreadsScope::OpenMpThreadsScope(int threads) {
#ifdef _OPENMP
  if (threads <= 0) return;
  previous_ = omp_get_max_threads();
  omp_set_num_threads(threads);
#else
  (void)threads;
#endif
}

OpenMpThreadsScope::~OpenMpThreadsScope() {
#ifdef _OPENMP
  if (previous_ > 0) omp_set_num_threads(previous_);
#endif
}

void keep_freed_memory_for_reuse() {
#ifdef __GLIBC__
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}

void release_parallel_workers() {
#ifdef _OPENMP
  omp_pause_resource_all(omp_pause_soft);
#endif
}

}  // namespace pseg
