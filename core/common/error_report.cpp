#include "core/common/error_report.h"

#include <c10/util/Exception.h>

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
  } catch (const c10::Error& e) {
    return {1, first_line(e.what_without_backtrace())};
  } catch (const std::exception& e) {
    return {1, first_line(e.what())};
  } catch (...) {
    return {1, "unknown error"};
  }
}

}  // namespace pseg
