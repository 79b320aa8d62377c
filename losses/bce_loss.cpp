#include "losses/bce_loss.h"
#include "losses/loss_registry.h"
#include "losses/composite_loss.h"

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

LossTermEntry bce_term() {
  return {"bce", "binary cross-entropy on the sigmoid of a 1-channel head (soft targets when given)",
          LossTermEntry::Target::Mask,
          [](int64_t channels) {
            return channels == 1 ? std::string()
                                 : "binary cross-entropy needs a 1-channel net, this one has " +
                                       std::to_string(channels) + " mask channels (use \"ce\")";
          },
          [](const torch::Tensor& z, const LossInputs& in, const LossConfig& c) {
            return bce_with_logits_loss(z, in.label, c.soft_targets ? in.soft : torch::Tensor());
          }};
}

}  // namespace pseg
