#pragma once
// Shape checks shared by the losses; they throw std::invalid_argument saying which loss got what.
#include <torch/types.h>

#include <cstdint>
#include <string>

namespace pseg {

constexpr int64_t kIgnoreLabel = 255;

std::string shape_string(const torch::Tensor& t);

// logits [N,C,H,W] with C == channels (0 = 1 or 2), label [N,H,W] integer.
void check_mask_logits(const torch::Tensor& logits, const torch::Tensor& label, int64_t channels,
                       const std::string& loss);

// 1-channel logits z become 2-channel [0, z], whose softmax is [1 - sigmoid(z), sigmoid(z)].
torch::Tensor as_two_class_logits(const torch::Tensor& logits);

}  // namespace pseg
