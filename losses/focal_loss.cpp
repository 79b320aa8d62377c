#include "losses/focal_loss.h"
#include "losses/loss_registry.h"
#include "losses/composite_loss.h"

#include <torch/torch.h>

#include "losses/loss_checks.h"

namespace pseg {

torch::Tensor focal_boundary_loss(const torch::Tensor& boundary_logits, const torch::Tensor& boundary, double gamma) {
  check_mask_logits(boundary_logits, boundary, 2, "focal");
  const auto target = boundary.to(torch::kLong);
  if (target.numel() > 0 && (target.min().item<int64_t>() < 0 || target.max().item<int64_t>() > 1))
    throw std::invalid_argument("focal: boundary target must be 0/1 (the focal loss has no ignore index)");
  const auto logpt = torch::log_softmax(boundary_logits, 1).gather(1, target.unsqueeze(1)).squeeze(1);
  const auto pt = logpt.exp().detach();  // the reference's Variable(logpt.data.exp())
  return (-(1 - pt).pow(gamma) * logpt).mean();
}

LossTermEntry focal_term() {
  return {"focal", "focal loss of the boundary head against the boundary target", LossTermEntry::Target::Boundary,
          [](int64_t) { return std::string(); },
          [](const torch::Tensor&, const LossInputs& in, const LossConfig& c) {
            return focal_boundary_loss(in.boundary_logits, in.boundary, c.focal_gamma);
          }};
}

}  // namespace pseg
