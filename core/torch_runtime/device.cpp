#include "core/torch_runtime/device.h"

#include <torch/cuda.h>

#include "core/common/errors.h"

namespace pseg {

c10::Device parse_device(const std::string& text, const std::string& what) {
  const auto fail = [&] { throw ConfigError(what + " " + text + ": expected cpu, cuda or cuda:INDEX"); };
  if (text == "cpu") return c10::Device(c10::kCPU);
  if (text.rfind("cuda", 0) != 0) fail();
  if (text == "cuda") return c10::Device(c10::kCUDA);
  const std::string index = text.size() > 5 && text[4] == ':' ? text.substr(5) : std::string();
  if (index.empty() || index.size() > 3 || index.find_first_not_of("0123456789") != std::string::npos) fail();
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(std::stoi(index)));
}

std::string checked_device(const std::string& text, const std::string& what) {
  const c10::Device device = parse_device(text, what);
  if (device.is_cpu()) return text;
  if (!torch::cuda::is_available())
    throw ConfigError(what + " " + text + ": CUDA is not available (this LibTorch build or machine has no GPU)");
  const auto count = static_cast<int>(torch::cuda::device_count());
  if (device.has_index() && device.index() >= count)
    throw ConfigError(what + " " + text + ": only " + std::to_string(count) + " CUDA device(s) present");
  return text;
}

}  // namespace pseg
