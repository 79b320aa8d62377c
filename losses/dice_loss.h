#pragma once
// Soft Dice loss on the foreground probability, ignore pixels excluded (an optional "custom" term).
#include <torch/types.h>

namespace pseg {

// logits [N,1|2,H,W] (sigmoid or softmax channel 1); label [N,H,W] 0/1/255; soft [N,1,H,W] or undefined.
// Over the whole batch's valid pixels Ω: L = 1 − (2·Σ p·y + 1) / (Σ p + Σ y + 1).
torch::Tensor dice_loss(const torch::Tensor& logits, const torch::Tensor& label, const torch::Tensor& soft = {});

}  // namespace pseg
