#include "core/infer/predictor_engines.h"

#include <torch/torch.h>

#include <vector>

namespace pseg {

void use_torch_threads(int threads) {
  if (threads > 0 && at::get_num_threads() != threads) at::set_num_threads(threads);
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

}  // namespace pseg
