#pragma once
// How an Example becomes net input: size, resize rule, colour order, normalisation, prior channel.
// The data library's own view of a net's InputSpec and of an exported model's metadata (core maps both onto it:
// input_format_for in core/datasets, input_format_of in core/model_io).
#include <opencv2/core.hpp>

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

// Writes the first three input planes of `image` (BGR, CV_8UC3 or CV_32FC3, already at f.height x f.width):
// colour order and normalisation of `f`, C x H x W floats from `dst` on. The one normalisation of the project:
// the training pipeline and every inference engine's preprocessing use it.
void write_normalised(const cv::Mat& image, const InputFormat& f, float* dst);

}  // namespace pseg
