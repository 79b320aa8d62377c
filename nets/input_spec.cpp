#include "nets/input_spec.h"

namespace pseg {

std::string input_size_problem(const InputSpec& spec, int64_t h, int64_t w) {
  const int64_t m = spec.size_multiple;
  if (h <= 0 || w <= 0) return "input size must be positive, got " + std::to_string(h) + "x" + std::to_string(w);
  if (h % m != 0 || w % m != 0 || h < m || w < m) {
    return "input size " + std::to_string(h) + "x" + std::to_string(w) + " is not supported: height and width must be "
           "positive multiples of " + std::to_string(m) + " (native " + std::to_string(spec.native_height) + "x" +
           std::to_string(spec.native_width) + ")";
  }
  return {};
}

std::string to_string(ColorOrder c) { return c == ColorOrder::RGB ? "rgb" : "bgr"; }
std::string to_string(ResizeMode m) { return m == ResizeMode::Stretch ? "stretch" : "pad_square"; }

}  // namespace pseg
