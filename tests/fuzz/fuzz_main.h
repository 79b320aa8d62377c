#pragma once
// The common set-up of every fuzz target: one intra-op thread and no log output.
#include <ATen/Parallel.h>
#include <spdlog/spdlog.h>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  at::set_num_threads(1);
  spdlog::set_level(spdlog::level::off);
  return 0;
}
