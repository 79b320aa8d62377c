#pragma once
// core/optim: optimisers and learning-rate schedules, one file each, and their registries.
// Builds the optimiser a config names and reads/sets its learning rate on every parameter group.
#include <torch/optim/optimizer.h>

#include <memory>
#include <vector>

#include "core/optim/optim_config.h"

namespace pseg {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimConfig& config, std::vector<torch::Tensor> params);

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);
// The learning rate of the first parameter group.
double learning_rate(const torch::optim::Optimizer& optimizer);

}  // namespace pseg
