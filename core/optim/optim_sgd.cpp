// SGD with optional (Nesterov) momentum and coupled weight decay.
#include <torch/optim/sgd.h>

#include "core/optim/optim_registry.h"

namespace pseg {

OptimizerEntry sgd_optimizer() {
  OptimizerEntry e;
  e.name = "sgd";
  e.summary = "stochastic gradient descent (momentum, nesterov)";
  e.keys = {"momentum", "nesterov"};
  e.parse = [](const JsonReader& r, OptimConfig& c) {
    c.momentum = r.get_number("momentum", c.momentum);
    if (!(c.momentum >= 0)) r.fail("momentum", "must be >= 0");
    c.nesterov = r.get_bool("nesterov", c.nesterov);
    if (c.nesterov && !(c.momentum > 0)) r.fail("nesterov", "needs optim.momentum > 0");
  };
  e.create = [](const OptimConfig& c, std::vector<torch::Tensor> params) -> std::unique_ptr<torch::optim::Optimizer> {
    if (c.nesterov && c.momentum <= 0) throw std::invalid_argument("optim.nesterov: needs optim.momentum > 0");
    return std::make_unique<torch::optim::SGD>(
        std::move(params),
        torch::optim::SGDOptions(c.lr).momentum(c.momentum).nesterov(c.nesterov).weight_decay(c.weight_decay));
  };
  return e;
}

}  // namespace pseg
