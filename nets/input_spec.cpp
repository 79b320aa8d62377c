#include "nets/input_spec.h"

namespace pseg {

std::string input_size_problem(const InputSpec& spec, int64_t h, int64_t w) {
  const int64_t m = spec.size_multiple, k = spec.size_offset;
  if (h <= 0 || w <= 0) return "input size must be positive, got " + std::to_string(h) + "x" + std::to_string(w);
  if ((h - k) % m != 0 || (w - k) % m != 0 || h - k < m || w - k < m) {
    const std::string rule = k == 0 ? "positive multiples of " + std::to_string(m)
                                    : std::to_string(m) + "k + " + std::to_string(k) + " for k >= 1";
    return "input size " + std::to_string(h) + "x" + std::to_string(w) + " is not supported: height and width must be " +
           rule + " (native " + std::to_string(spec.native_height) + "x" + std::to_string(spec.native_width) + ")";
  }
  return {};
}

std::string to_string(ColorOrder c) { return c == ColorOrder::RGB ? "rgb" : "bgr"; }
std::string to_string(ResizeMode m) { return m == ResizeMode::Stretch ? "stretch" : "pad_square"; }

}  // namespace pseg
