#pragma once
// core/common: what every core library shares: errors, atomic files, devices, JSON reading, registries.
// Error kinds the CLI maps to exit codes: ConfigError (and std::invalid_argument from the libraries) = 2,
// anything else = 1. Messages name the file, key path or value at fault.
#include <stdexcept>
#include <string>

namespace pseg {

// Bad configuration or usage: a key, a value, an option. Exit code 2.
class ConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A failure while doing the work: unreadable file, numerical problem, I/O. Exit code 1.
class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace pseg
