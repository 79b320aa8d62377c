#include "data/input_format.h"

#include <stdexcept>

namespace pseg {
namespace {

template <typename T>
void normalise(const cv::Mat& image, const InputFormat& f, float* dst) {
  const size_t plane = static_cast<size_t>(f.height) * static_cast<size_t>(f.width);
  for (int c = 0; c < 3; ++c) {
    const int src = f.rgb ? 2 - c : c;
    const float mean = f.mean[c], scale = f.scale[c];
    float* out = dst + c * plane;
    for (int y = 0; y < f.height; ++y) {
      const auto* row = image.ptr<cv::Vec<T, 3>>(y);
      for (int x = 0; x < f.width; ++x) *out++ = (static_cast<float>(row[x][src]) - mean) * scale;
    }
  }
}

}  // namespace

void write_normalised(const cv::Mat& image, const InputFormat& f, float* dst) {
  if (image.rows != f.height || image.cols != f.width)
    throw std::invalid_argument("write_normalised: image is not at the input size");
  if (image.type() == CV_8UC3) return normalise<uint8_t>(image, f, dst);
  if (image.type() == CV_32FC3) return normalise<float>(image, f, dst);
  throw std::invalid_argument("write_normalised: expected a CV_8UC3 or CV_32FC3 image");
}

}  // namespace pseg
