#pragma once
// How a failure is reported to a user, shared by the CLI (exit code + "error: <message>") and the C++ API (the
// documented exception types): usage and configuration errors (std::invalid_argument, ConfigError) are exit 2,
// everything else 1; the message is the first line, without LibTorch's C++ backtrace.
#include <string>

namespace pseg {

struct ErrorReport {
  int exit_code = 1;
  std::string message;
};

// The exception being handled; call it only inside a catch block.
ErrorReport current_error_report();

}  // namespace pseg
