#pragma once
// What a net expects as input: channels, size rule, colour order, normalisation. No torch here.
#include <array>
#include <cstdint>
#include <string>

namespace pseg {

enum class ColorOrder { RGB, BGR };
// How an image of another aspect ratio is brought to the input size.
enum class ResizeMode { Stretch, PadToSquare };

struct InputSpec {
  int64_t channels = 3;        // 3, or 4 with a prior channel appended last
  int64_t height = 0;          // configured input size
  int64_t width = 0;
  int64_t native_height = 0;   // size of the reference recipe
  int64_t native_width = 0;
  int64_t size_multiple = 32;  // H - size_offset and W - size_offset must be positive multiples of this
  int64_t size_offset = 0;     // 1 for nets that take 8k + 1 (DeepLab)
  ColorOrder color = ColorOrder::RGB;
  // normalised = (pixel - mean) * scale, per channel in `color` order, pixel in 0..255
  std::array<float, 3> mean{0.f, 0.f, 0.f};
  std::array<float, 3> scale{1.f / 255.f, 1.f / 255.f, 1.f / 255.f};
  std::string normalization = "unit";  // name of the normalisation, recorded in metadata
  bool prior_channel = false;  // 4th channel = previous-frame probability, not normalised
  int64_t logit_channels = 1;  // 1: sigmoid head; 2: softmax head, channel 1 = person
  ResizeMode resize = ResizeMode::Stretch;
  float pad_value = 128.f;     // fill for ResizeMode::PadToSquare
};

// Empty when (h, w) is acceptable for `spec`, else a sentence saying why not.
std::string input_size_problem(const InputSpec& spec, int64_t h, int64_t w);

std::string to_string(ColorOrder c);
std::string to_string(ResizeMode m);

}  // namespace pseg
