#pragma once
// PortraitNet's focal loss on the boundary head (training.md §2.3): the modulating factor is detached.
#include <torch/types.h>

namespace pseg {

// boundary_logits [N,2,H,W]; boundary [N,H,W] int64 0/1. Mean over all N·H·W pixels, no ignore index:
// L = mean(-(1 - pt)^gamma · log pt) with pt = exp(log pt) taken out of the graph.
torch::Tensor focal_boundary_loss(const torch::Tensor& boundary_logits, const torch::Tensor& boundary,
                                  double gamma = 2.0);

}  // namespace pseg
