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

// The MobileNet convention of the TF models: RGB scaled to [-1, 1] (x / 127.5 - 1), 2 logits (softmax channel 1 =
// person), square native input.
inline InputSpec symmetric_rgb_softmax_spec(int64_t native_size, int64_t size_multiple) {
  InputSpec s;
  s.channels = 3;
  s.native_height = s.native_width = native_size;
  s.size_multiple = size_multiple;
  s.color = ColorOrder::RGB;
  s.mean = {127.5f, 127.5f, 127.5f};
  s.scale = {1.f / 127.5f, 1.f / 127.5f, 1.f / 127.5f};
  s.normalization = "symmetric";
  s.logit_channels = 2;
  return s;
}

}  // namespace pseg
