#include "losses/bce_loss.h"

#include <torch/nn/functional/loss.h>

#include "losses/loss_checks.h"

namespace pseg {

torch::Tensor bce_with_logits_loss(const torch::Tensor& logits, const torch::Tensor& label, const torch::Tensor& soft) {
  check_mask_logits(logits, label, 1, "bce");
  const auto valid = label.ne(kIgnoreLabel).unsqueeze(1).to(logits.scalar_type());
  torch::Tensor target;
  if (soft.defined()) {
    if (soft.sizes() != logits.sizes())
      throw std::invalid_argument("bce: soft target shape " + shape_string(soft) + " differs from logits " +
                                  shape_string(logits));
    target = soft.to(logits.scalar_type());
  } else {
    target = label.unsqueeze(1).to(logits.scalar_type()) * valid;  // ignore pixels get target 0, weight 0
  }
  namespace F = torch::nn::functional;
  const auto sum = F::binary_cross_entropy_with_logits(
      logits, target, F::BinaryCrossEntropyWithLogitsFuncOptions().weight(valid).reduction(torch::kSum));
  return sum / valid.sum().clamp_min(1);
}

}  // namespace pseg
