#pragma once
// PortraitNet's KL consistency loss between two views (training.md §2.4).
#include <torch/types.h>

namespace pseg {

// student, teacher: mask logits [N,C,H,W] of the texture-augmented and the deformation-only view; the
// teacher is detached. L = T² · mean over all N·C·H·W elements of Q·(log Q − log P), with
// P = softmax(student/T), Q = softmax(teacher/T): element mean, not batch mean. 1-channel logits z are
// treated as the two classes [1 − σ(z), σ(z)] (C = 2).
torch::Tensor kl_consistency_loss(const torch::Tensor& student, const torch::Tensor& teacher,
                                  double temperature = 1.0);

}  // namespace pseg
