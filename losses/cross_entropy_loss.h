#pragma once
// Softmax cross-entropy on 2-channel logits with ignore index 255 (training.md §2.2).
#include <torch/types.h>

namespace pseg {

// logits [N,2,H,W]; label [N,H,W] int64 0/1/255. Mean over non-ignored pixels (0 when every pixel is ignored).
// Call it qualified, pseg::cross_entropy_loss: argument-dependent lookup also finds at::cross_entropy_loss.
torch::Tensor cross_entropy_loss(const torch::Tensor& logits, const torch::Tensor& label);

}  // namespace pseg
