#include "core/infer/predictor_engines.h"

#include <torch/torch.h>

#include <stdexcept>
#include <vector>

#include "nets/segnet.h"

namespace pseg {

void check_input_blob(const cv::Mat& blob, const ModelMeta& meta) {
  if (blob.dims != 4 || blob.type() != CV_32F || blob.size[0] < 1 || blob.size[1] != meta.channels ||
      blob.size[2] != meta.height || blob.size[3] != meta.width)
    throw std::invalid_argument("infer: expected a CV_32F N x " + std::to_string(meta.channels) + " x " +
                                std::to_string(meta.height) + " x " + std::to_string(meta.width) + " blob");
}

torch::Tensor tensor_from_blob(const cv::Mat& blob, const torch::Device& device) {
  const cv::Mat dense = blob.isContinuous() ? blob : blob.clone();
  const std::vector<int64_t> sizes(dense.size.p, dense.size.p + dense.dims);
  return torch::from_blob(const_cast<float*>(dense.ptr<float>()), sizes, torch::kFloat).to(device, false, true);
}

cv::Mat blob_from_tensor(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kCPU, torch::kFloat).contiguous();
  const std::vector<int> sizes(c.sizes().begin(), c.sizes().end());
  cv::Mat blob(static_cast<int>(sizes.size()), sizes.data(), CV_32F);
  std::copy_n(c.data_ptr<float>(), c.numel(), blob.ptr<float>());
  return blob;
}

torch::Tensor probability_from_output(const torch::Tensor& output, const ModelMeta& meta) {
  switch (meta.output) {
    case ExportHead::Logits: return foreground_probability(output.to(torch::kFloat));
    case ExportHead::Probability: return output.to(torch::kFloat);
    case ExportHead::Mask: return output.to(torch::kFloat) / 255.0;
  }
  throw std::logic_error("unhandled export head");
}

}  // namespace pseg
