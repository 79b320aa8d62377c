#pragma once
// Process-wide settings every command applies first: logging, OpenCV's and OpenMP's threads here; LibTorch's threads and
// the device check in core/torch_runtime/torch_runtime.h.
#include <string>

namespace pseg {

struct RuntimeOptions {
  int threads = 0;              // 0 = the cores the process may run on
  std::string device = "cpu";   // cpu | cuda | cuda:i
  std::string log_level = "info";
  bool quiet = false;
};

// The cores this process may run on: its CPU affinity (taskset, a container's cpuset), which
// std::thread::hardware_concurrency ignores; that count where the affinity cannot be read. A thread per core of the
// whole machine in a process pinned to fewer would make OpenMP's workers take turns on the same cores.
int usable_cores();
// The intra-op thread count `threads` asks for (0 = usable_cores()). Throws ConfigError for a negative count.
int intra_op_thread_count(int threads);
// Sets the log level (--log-level, --quiet), OpenCV's and OpenMP's threads (OpenMP: oneDNN's pool) and flushes
// denormal floats to zero. Throws ConfigError for an unknown level or a negative thread count.
void apply_process_options(const RuntimeOptions& opts);
// OpenMP's thread count (oneDNN's pool) for the parallel work the calling thread starts while this lives; OpenMP
// keeps the count per thread. 0 leaves it as it is. A no-op without OpenMP.
class OpenMpThreadsScope {
 public:
  explicit OpenMpThreadsScope(int threads);
  ~OpenMpThreadsScope();
  OpenMpThreadsScope(const OpenMpThreadsScope&) = delete;
  OpenMpThreadsScope& operator=(const OpenMpThreadsScope&) = delete;

 private:
  int previous_ = 0;  // 0: nothing to restore
};
// Keeps the memory the process frees for its next allocations instead of handing it back to the kernel. glibc serves
// every block over its mmap threshold (at most 32 MB) with a fresh mmap and unmaps it on free, so each training step
// faulted its large activations in again page by page: Prisma-Net at batch 16 spent 27 s of 27 s in the kernel on
// 11.9 million page faults. With this, every block comes from the heap, which is trimmed only when 2 GB lie free at
// its top (docs/performance.md). The CLI calls it first; an application using the library decides for its own
// process. A no-op outside glibc.
void keep_freed_memory_for_reuse();
// Ends OpenMP's worker threads after a burst of parallel work, such as one inference. Idle, they would spin-wait for
// the next parallel region for milliseconds, taking a core from a pipeline's other stages; the next region starts
// them again in microseconds. Call outside any parallel region. A no-op without OpenMP.
void release_parallel_workers();

}  // namespace pseg
