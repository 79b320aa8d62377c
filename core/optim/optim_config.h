#pragma once
// The `optim` section of a config (training.md §3.1, §3.3). No torch here: config parsing uses it.
#include <string>

namespace pseg {

struct OptimConfig {
  std::string name = "adam";  // an optimiser of optimizer_registry() (core/optim/optim_registry.h)
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;           // torch default; Keras Adam uses 1e-7 (config preset adam_eps: "keras")
  double weight_decay = 0.0;   // coupled L2 (added to the gradient), as torch Adam and SGD
  double momentum = 0.0;       // sgd
  bool nesterov = false;       // sgd
};

}  // namespace pseg
