#pragma once
// The typed configuration behind a public portraitseg::Config, for the other API files.
#include "core/config/config.h"
#include "portraitseg/config.h"

namespace portraitseg {

struct ConfigAccess {
  static const pseg::Config& typed(const Config& config);
};

}  // namespace portraitseg
