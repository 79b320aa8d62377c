#pragma once
// The optimisers a config can name (`optim.name`), one file each (core/optim/optim_<name>.cpp): the optim.* keys
// each reads besides name, lr and weight_decay, how it parses them, and how it builds the LibTorch optimiser.
#include <torch/optim/optimizer.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/common/json_reader.h"
#include "core/common/registry.h"
#include "core/optim/optim_config.h"

namespace pseg {

struct OptimizerEntry {
  std::string name;
  std::string summary;
  std::set<std::string> keys;  // its own optim.* keys
  // Reads its keys from the optim section into `config`; errors are ConfigError naming the key.
  std::function<void(const JsonReader& optim, OptimConfig& config)> parse;
  std::function<std::unique_ptr<torch::optim::Optimizer>(const OptimConfig&, std::vector<torch::Tensor>)> create;
};

Registry<OptimizerEntry>& optimizer_registry();

}  // namespace pseg
