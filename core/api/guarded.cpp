#include "core/api/guarded.h"

#include "core/common/error_report.h"
#include "portraitseg/errors.h"

namespace portraitseg::detail {

void rethrow_as_public_error() {
  const pseg::ErrorReport error = pseg::current_error_report();
  if (error.exit_code == 2) throw ConfigError(error.message);
  throw RuntimeError(error.message);
}

}  // namespace portraitseg::detail
