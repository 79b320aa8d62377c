#pragma once
// Binary cross-entropy on 1-channel logits, ignore pixels excluded (training.md §2.1).
#include <torch/types.h>

namespace pseg {

// logits [N,1,H,W]; label [N,H,W] int64 0/1/255; soft [N,1,H,W] in [0,1] or undefined (then the label is the
// target). Sum over non-ignored pixels divided by their count (0 when every pixel is ignored).
torch::Tensor bce_with_logits_loss(const torch::Tensor& logits, const torch::Tensor& label,
                                   const torch::Tensor& soft = {});

}  // namespace pseg
