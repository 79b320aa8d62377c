#include "losses/dice_loss.h"
#include "losses/loss_registry.h"
#include "losses/composite_loss.h"

#include <torch/torch.h>

#include "losses/loss_checks.h"

namespace pseg {

torch::Tensor dice_loss(const torch::Tensor& logits, const torch::Tensor& label, const torch::Tensor& soft) {
  check_mask_logits(logits, label, 0, "dice");
  const auto p = logits.size(1) == 1 ? torch::sigmoid(logits).squeeze(1) : torch::softmax(logits, 1).select(1, 1);
  const auto valid = label.ne(kIgnoreLabel).to(p.scalar_type());
  torch::Tensor y;
  if (soft.defined()) {
    if (soft.dim() != 4 || soft.size(1) != 1 || soft.squeeze(1).sizes() != label.sizes())
      throw std::invalid_argument("dice: soft target " + shape_string(soft) + " does not match label " +
                                  shape_string(label));
    y = soft.squeeze(1).to(p.scalar_type());
  } else {
    y = label.to(p.scalar_type());
  }
  const auto pv = p * valid;
  const auto yv = y * valid;
  constexpr double kSmooth = 1.0;  // keeps empty masks at loss 0 and the gradient finite
  return 1 - (2 * (pv * yv).sum() + kSmooth) / (pv.sum() + yv.sum() + kSmooth);
}

LossTermEntry dice_term() {
  return {"dice", "soft Dice on the foreground probability", LossTermEntry::Target::Mask,
          [](int64_t channels) {
            return channels == 1 || channels == 2 ? std::string()
                                                  : "expected 1 or 2 mask channels, got " + std::to_string(channels);
          },
          [](const torch::Tensor& z, const LossInputs& in, const LossConfig& c) {
            return dice_loss(z, in.label, c.soft_targets ? in.soft : torch::Tensor());
          }};
}

}  // namespace pseg
