#include "core/runtime.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <thread>

#include "core/errors.h"

namespace pseg {

std::string checked_device(const std::string& device) {
  if (device == "cpu") return device;
  if (device.rfind("cuda", 0) != 0)
    throw ConfigError("--device " + device + ": expected cpu, cuda or cuda:INDEX");
  int index = 0;
  if (device != "cuda") {
    const std::string idx = device.size() > 5 && device[4] == ':' ? device.substr(5) : std::string();
    if (idx.empty() || idx.find_first_not_of("0123456789") != std::string::npos)
      throw ConfigError("--device " + device + ": expected cpu, cuda or cuda:INDEX");
    index = std::stoi(idx);
  }
  if (!torch::cuda::is_available())
    throw ConfigError("--device " + device + ": CUDA is not available (this LibTorch build or machine has no GPU)");
  const int count = static_cast<int>(torch::cuda::device_count());
  if (index >= count)
    throw ConfigError("--device " + device + ": only " + std::to_string(count) + " CUDA device(s) present");
  return device;
}

void apply_runtime(const RuntimeOptions& opts) {
  auto level = spdlog::level::from_str(opts.log_level);
  if (level == spdlog::level::off && opts.log_level != "off")
    throw ConfigError("--log-level " + opts.log_level + ": expected trace, debug, info, warn, error or off");
  if (opts.quiet && level < spdlog::level::warn) level = spdlog::level::warn;
  spdlog::set_level(level);
  spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");

  if (opts.threads < 0) throw ConfigError("--threads " + std::to_string(opts.threads) + ": must be >= 0");
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // LibTorch 1.13 assumes SMT and would use half the cores: set the count explicitly.
  at::set_num_threads(opts.threads > 0 ? opts.threads : hw);
  // Denormal floats make CPU kernels orders of magnitude slower; they never matter for these nets.
  at::globalContext().setFlushDenormal(true);
  checked_device(opts.device);
  spdlog::debug("threads: {} intra-op, device {}", at::get_num_threads(), opts.device);
}

}  // namespace pseg
