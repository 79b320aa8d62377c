#include "losses/loss_checks.h"

#include <torch/torch.h>

#include <stdexcept>

namespace pseg {

std::string shape_string(const torch::Tensor& t) {
  if (!t.defined()) return "(undefined)";
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? "," : "") + std::to_string(t.size(i));
  return s + "]";
}

void check_mask_logits(const torch::Tensor& logits, const torch::Tensor& label, int64_t channels,
                       const std::string& loss) {
  if (!logits.defined() || logits.dim() != 4)
    throw std::invalid_argument(loss + ": expected logits [N,C,H,W], got " + shape_string(logits));
  const int64_t c = logits.size(1);
  if (channels == 1 && c != 1)
    throw std::invalid_argument(loss + ": needs a 1-channel (sigmoid) head, got " + std::to_string(c) +
                                " channels (use loss.recipe \"ce\" for 2-channel nets)");
  if (channels == 2 && c != 2)
    throw std::invalid_argument(loss + ": needs a 2-channel (softmax) head, got " + std::to_string(c) +
                                " channel(s) (use loss.recipe \"bce\" for 1-channel nets)");
  if (channels == 0 && c != 1 && c != 2)
    throw std::invalid_argument(loss + ": expected 1 or 2 logit channels, got " + std::to_string(c));
  if (!label.defined() || label.dim() != 3 || label.size(0) != logits.size(0) || label.size(1) != logits.size(2) ||
      label.size(2) != logits.size(3))
    throw std::invalid_argument(loss + ": label " + shape_string(label) + " does not match logits " +
                                shape_string(logits) + " (expected [N,H,W])");
  if (at::isFloatingType(label.scalar_type()))
    throw std::invalid_argument(loss + ": label must be an integer tensor (0/1/255)");
}

torch::Tensor as_two_class_logits(const torch::Tensor& logits) {
  if (logits.size(1) == 2) return logits;
  return torch::cat({torch::zeros_like(logits), logits}, 1);
}

}  // namespace pseg
