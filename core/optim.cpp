#include "core/optim.h"

#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include <stdexcept>

namespace pseg {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimConfig& c, std::vector<torch::Tensor> params) {
  if (c.lr <= 0) throw std::invalid_argument("optim.lr: must be > 0");
  if (c.name == "adam") {
    // torch's coupled weight decay is what PortraitNet's torch.optim.Adam(weight_decay=5e-4) uses.
    return std::make_unique<torch::optim::Adam>(std::move(params), torch::optim::AdamOptions(c.lr)
                                                                        .betas({c.beta1, c.beta2})
                                                                        .eps(c.eps)
                                                                        .weight_decay(c.weight_decay));
  }
  if (c.name == "sgd") {
    if (c.nesterov && c.momentum <= 0)
      throw std::invalid_argument("optim.nesterov: needs optim.momentum > 0");
    return std::make_unique<torch::optim::SGD>(
        std::move(params),
        torch::optim::SGDOptions(c.lr).momentum(c.momentum).nesterov(c.nesterov).weight_decay(c.weight_decay));
  }
  throw std::invalid_argument("optim.name: expected \"adam\" or \"sgd\", got \"" + c.name + "\"");
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
