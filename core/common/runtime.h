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

// Keeps the memory the process frees for its next allocations instead of handing it back to the kernel. glibc serves
// every block over its mmap threshold (at most 32 MB) with a fresh mmap and unmaps it on free, so each training step
// faulted its large activations in again page by page: Prisma-Net at batch 16 spent 27 s of 27 s in the kernel on
// 11.9 million page faults. With this, every block comes from the heap, which is trimmed only when 2 GB lie free at
// its top (docs/performance.md). The CLI calls it first; an application using the library decides for its own
// process. A no-op outside glibc.
void keep_freed_memory_for_reuse();

}  // namespace pseg
