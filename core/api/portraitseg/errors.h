#pragma once
// The two error kinds every portraitseg function throws, with the one-line messages the CLI prints (naming the file,
// key or value at fault). The CLI exits 2 for a ConfigError and 1 for a RuntimeError.
#include <stdexcept>

namespace portraitseg {

// Bad configuration or usage: an unknown key or engine, a value out of range, an image of the wrong type.
class ConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A failure while doing the work: a missing or corrupt model file, unreadable data, an output that cannot be written.
class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace portraitseg
