#pragma once
// core/common: what every core library shares: errors, atomic files, devices, JSON reading, registries.
// Error kinds the CLI maps to exit codes: ConfigError (and std::invalid_argument from the libraries) = 2,
// anything else = 1 (core/common/error_report.h). Messages name the file, key path or value at fault. They are the
// public API's exception types (core/api/portraitseg/errors.h), so what the libraries throw is what applications
// catch.
#include "portraitseg/errors.h"

namespace pseg {

// Bad configuration or usage: a key, a value, an option. Exit code 2.
using ConfigError = portraitseg::ConfigError;
// A failure while doing the work: unreadable file, numerical problem, I/O. Exit code 1.
using RuntimeError = portraitseg::RuntimeError;

}  // namespace pseg
