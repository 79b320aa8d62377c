#include "losses/kl_loss.h"
#include "losses/loss_registry.h"
#include "losses/composite_loss.h"

#include <torch/torch.h>

#include "losses/loss_checks.h"

namespace pseg {

torch::Tensor kl_consistency_loss(const torch::Tensor& student, const torch::Tensor& teacher, double temperature) {
  if (!student.defined() || !teacher.defined() || student.dim() != 4 || student.sizes() != teacher.sizes() ||
      (student.size(1) != 1 && student.size(1) != 2))
    throw std::invalid_argument("kl: student " + shape_string(student) + " and teacher " + shape_string(teacher) +
                                " must be [N,1|2,H,W] logits of the same shape");
  if (temperature <= 0) throw std::invalid_argument("kl: temperature must be > 0");
  const auto log_p = torch::log_softmax(as_two_class_logits(student) / temperature, 1);
  // log Q from log_softmax keeps Q·log Q finite where Q underflows to 0.
  const auto log_q = torch::log_softmax(as_two_class_logits(teacher.detach()) / temperature, 1);
  return (log_q.exp() * (log_q - log_p)).mean() * (temperature * temperature);
}

LossTermEntry kl_term() {
  return {"kl", "KL divergence of the main view from the plain view (consistency)", LossTermEntry::Target::Consistency,
          [](int64_t channels) {
            return channels == 1 || channels == 2 ? std::string()
                                                  : "expected 1 or 2 mask channels, got " + std::to_string(channels);
          },
          [](const torch::Tensor&, const LossInputs& in, const LossConfig& c) {
            return kl_consistency_loss(in.logits, in.logits_plain, c.kl_temperature);
          }};
}

}  // namespace pseg
