#include "core/torch_runtime/memory_format.h"

#include <torch/torch.h>

namespace pseg {

void set_weight_memory_format(torch::nn::Module& module, c10::MemoryFormat format) {
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters())
    if (p.dim() == 4 && !p.is_contiguous(format)) p.set_data(p.contiguous(format));
}

ContiguousWeights::ContiguousWeights(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters()) {
    if (p.dim() != 4 || p.is_contiguous()) continue;
    changed_.emplace_back(p, p.suggest_memory_format());
    p.set_data(p.contiguous());
  }
}

ContiguousWeights::~ContiguousWeights() {
  torch::NoGradGuard no_grad;
  try {
    for (auto& [p, format] : changed_) p.set_data(p.contiguous(format));
  } catch (const std::exception&) {
    // Out of memory: the rest stay contiguous, which only costs speed.
  }
}

}  // namespace pseg
