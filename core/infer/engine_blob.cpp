#include "core/infer/engine_blob.h"

#include <stdexcept>
#include <string>

namespace pseg {

void check_input_blob(const cv::Mat& blob, const ModelMeta& meta) {
  if (blob.dims != 4 || blob.type() != CV_32F || blob.size[0] < 1 || blob.size[1] != meta.channels ||
      blob.size[2] != meta.height || blob.size[3] != meta.width)
    throw std::invalid_argument("infer: expected a CV_32F N x " + std::to_string(meta.channels) + " x " +
                                std::to_string(meta.height) + " x " + std::to_string(meta.width) + " blob");
}

cv::Mat probability_blob(const cv::Mat& output, const ModelMeta& meta) {
  if (output.dims != 4) throw std::runtime_error("model output is not a 4-D N x C x H x W blob");
  const int n = output.size[0], c = output.size[1], h = output.size[2], w = output.size[3];
  cv::Mat values;
  output.convertTo(values, CV_32F, meta.output == ExportHead::Mask ? 1.0 / 255.0 : 1.0);
  if (meta.output != ExportHead::Logits) return values;
  if (c != 1 && c != 2) throw std::runtime_error("logits head with " + std::to_string(c) + " channels");
  const int sizes[] = {n, 1, h, w};
  cv::Mat probability(4, sizes, CV_32F);
  const size_t plane = static_cast<size_t>(h) * w;
  for (int i = 0; i < n; ++i) {
    // Softmax channel 1 of (l0, l1) is the sigmoid of l1 - l0: both are 1 / (1 + exp(-z)).
    const cv::Mat l1(1, static_cast<int>(plane), CV_32F, values.ptr<float>() + (i * c + c - 1) * plane);
    cv::Mat z = c == 1 ? -l1 : cv::Mat(1, static_cast<int>(plane), CV_32F, values.ptr<float>() + i * c * plane) - l1;
    cv::exp(z, z);
    cv::Mat out(1, static_cast<int>(plane), CV_32F, probability.ptr<float>() + i * plane);
    cv::divide(1.0, 1.0 + z, out);
  }
  return probability;
}

}  // namespace pseg
