#pragma once
// Helpers for net factories: turning a ModelConfig plus a base spec into the configured InputSpec.
#include <stdexcept>

#include "nets/input_spec.h"
#include "nets/net_options.h"

namespace pseg {

// Applies model.input_size (0 = native) to `spec` and checks it against the net's size rule.
inline InputSpec configured_spec(InputSpec spec, const ModelConfig& config) {
  spec.height = config.height > 0 ? config.height : spec.native_height;
  spec.width = config.width > 0 ? config.width : spec.native_width;
  const std::string problem = input_size_problem(spec, spec.height, spec.width);
  if (!problem.empty()) throw std::invalid_argument("model.input_size: " + config.net + ": " + problem);
  return spec;
}

}  // namespace pseg
