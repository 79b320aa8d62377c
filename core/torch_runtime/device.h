#pragma once
// The one parser of device strings ("cpu", "cuda", "cuda:1") for configs, options and model files.
#include <c10/core/Device.h>

#include <string>

namespace pseg {

// The device `text` names; `what` is the key or option in the error. Throws ConfigError "<what> <text>: expected
// cpu, cuda or cuda:INDEX" when it is not such a string. Does not check that the device exists.
c10::Device parse_device(const std::string& text, const std::string& what = "--device");

// Checks a device string and that it is usable here (CUDA built in, the index present); returns it normalised.
// Throws ConfigError naming the problem.
std::string checked_device(const std::string& text, const std::string& what = "--device");

}  // namespace pseg
