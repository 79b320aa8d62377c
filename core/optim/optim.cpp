#include "core/optim/optim.h"

#include "core/optim/optim_registry.h"


#include <stdexcept>

namespace pseg {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimConfig& c, std::vector<torch::Tensor> params) {
  if (c.lr <= 0) throw std::invalid_argument("optim.lr: must be > 0");
  return optimizer_registry().at(c.name, "optim.name").create(c, std::move(params));
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

double learning_rate(const torch::optim::Optimizer& optimizer) {
  const auto& groups = optimizer.param_groups();
  if (groups.empty()) throw std::logic_error("learning_rate: the optimiser has no parameter groups");
  return groups.front().options().get_lr();
}

}  // namespace pseg
