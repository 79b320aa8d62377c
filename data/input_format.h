#pragma once
// How an Example becomes net input: size, resize rule, colour order, normalisation, prior channel.
// The data library's own view of a net's InputSpec (core maps one onto the other).
#include <array>

namespace pseg {

enum class InputResize { Stretch, PadSquare };

struct InputFormat {
  int channels = 3;  // 3, or 4 with the prior appended last (unnormalised, in [0,1])
  int height = 224;
  int width = 224;
  bool rgb = false;  // channel order of the normalised input; images are BGR until then
  // normalised = (pixel - mean) * scale per channel, in the order above, pixel in 0..255
  std::array<float, 3> mean{0.f, 0.f, 0.f};
  std::array<float, 3> scale{1.f / 255.f, 1.f / 255.f, 1.f / 255.f};
  InputResize resize = InputResize::Stretch;
  float pad_value = 128.f;  // fill of InputResize::PadSquare
};

}  // namespace pseg
