#include "losses/kl_loss.h"

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

}  // namespace pseg
