#include "core/torch_runtime/torch_runtime.h"

#include <opencv2/core.hpp>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/torch_runtime/device.h"

namespace pseg {

void set_intra_op_threads(int threads) {
  const int count = intra_op_thread_count(threads);
  // LibTorch 1.13 assumes SMT and would use half the cores: set the count explicitly.
  at::set_num_threads(count);
  cv::setNumThreads(count);
  // Denormal floats make CPU kernels orders of magnitude slower; they never matter for these nets.
  at::globalContext().setFlushDenormal(true);
}

void apply_runtime(const RuntimeOptions& opts) {
  apply_process_options(opts);
  set_intra_op_threads(opts.threads);
  checked_device(opts.device);
  spdlog::debug("threads: {} intra-op, device {}", at::get_num_threads(), opts.device);
}

}  // namespace pseg
