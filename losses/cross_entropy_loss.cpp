#include "losses/cross_entropy_loss.h"
#include "losses/loss_registry.h"
#include "losses/composite_loss.h"

#include <torch/nn/functional/loss.h>

#include "losses/loss_checks.h"

namespace pseg {

torch::Tensor cross_entropy_loss(const torch::Tensor& logits, const torch::Tensor& label) {
  check_mask_logits(logits, label, 2, "ce");
  namespace F = torch::nn::functional;
  const auto target = label.to(torch::kLong);
  // Sum / count rather than reduction mean, which is NaN for a batch without valid pixels.
  const auto sum = F::cross_entropy(
      logits, target, F::CrossEntropyFuncOptions().ignore_index(kIgnoreLabel).reduction(torch::kSum));
  return sum / target.ne(kIgnoreLabel).sum().clamp_min(1).to(logits.scalar_type());
}

LossTermEntry ce_term() {
  return {"ce", "cross-entropy on the softmax of a 2-channel head", LossTermEntry::Target::Mask,
          [](int64_t channels) {
            return channels == 2 ? std::string()
                                 : "cross-entropy needs a 2-channel net, this one has " + std::to_string(channels) +
                                       " mask channel(s) (use \"bce\")";
          },
          [](const torch::Tensor& z, const LossInputs& in, const LossConfig&) {
            return pseg::cross_entropy_loss(z, in.label);
          }};
}

}  // namespace pseg
