#include "portraitseg/runtime.h"

#include <spdlog/spdlog.h>

#include "core/api/guarded.h"
#include "core/common/errors.h"
#include "core/torch_runtime/torch_runtime.h"
#include "portraitseg/version.h"

namespace portraitseg {

const char* library_version() noexcept { return PORTRAITSEG_VERSION; }

void set_threads(int threads) {
  detail::guarded([&] { pseg::set_intra_op_threads(threads); });
}

void set_log_level(const std::string& level) {
  detail::guarded([&] {
    const auto parsed = spdlog::level::from_str(level);
    if (parsed == spdlog::level::off && level != "off")
      throw pseg::ConfigError("log level " + level + ": expected trace, debug, info, warn, error or off");
    spdlog::set_level(parsed);
  });
}

}  // namespace portraitseg
