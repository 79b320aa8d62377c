#include "nets/segnet.h"

#include <torch/torch.h>

namespace pseg {

SegNetImpl::SegNetImpl(const std::string& module_name, ModelConfig config, InputSpec spec)
    : torch::nn::Module(module_name), config_(std::move(config)), spec_(spec) {}

std::string SegNetImpl::describe() const {
  std::string s = config_.net + "(";
  bool first = true;
  for (const auto& [k, v] : config_.options.values()) {
    s += (first ? "" : ", ") + k + "=" + option_value_to_string(v);
    first = false;
  }
  s += ") " + std::to_string(spec_.channels) + "x" + std::to_string(spec_.height) + "x" + std::to_string(spec_.width) +
       " " + to_string(spec_.color);
  return s;
}

int64_t SegNetImpl::parameter_count() const {
  int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

int64_t SegNetImpl::deploy_parameter_count() const {
  const auto prefixes = training_only_prefixes();
  int64_t n = 0;
  for (const auto& item : named_parameters()) {
    bool training_only = false;
    for (const auto& pre : prefixes) training_only |= item.key().rfind(pre, 0) == 0;
    if (!training_only) n += item.value().numel();
  }
  return n;
}

torch::Tensor foreground_probability(const torch::Tensor& mask_logits) {
  if (mask_logits.size(1) == 1) return torch::sigmoid(mask_logits);
  return torch::softmax(mask_logits, 1).slice(1, 1, 2);
}

}  // namespace pseg
