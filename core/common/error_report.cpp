#include "core/common/error_report.h"

#include <exception>
#include <stdexcept>

namespace pseg {
namespace {

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

ErrorReport current_error_report() {
  try {
    throw;
  } catch (const std::invalid_argument& e) {  // includes ConfigError
    return {2, first_line(e.what())};
  } catch (const std::exception& e) {
    // LibTorch's c10::Error puts its C++ backtrace after the first line.
    return {1, first_line(e.what())};
  } catch (...) {
    return {1, "unknown error"};
  }
}

}  // namespace pseg
