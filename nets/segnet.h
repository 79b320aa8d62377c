#pragma once
// The one interface every segmentation net implements.
#include <torch/nn/module.h>
#include <torch/types.h>

#include <string>
#include <vector>

#include "nets/input_spec.h"
#include "nets/net_options.h"

namespace pseg {

struct NetOutput {
  torch::Tensor mask_logits;      // [N, 1 or 2, H, W]
  torch::Tensor boundary_logits;  // [N, 2, H, W] when the net has a boundary head, else undefined
};

class SegNetImpl : public torch::nn::Module {
 public:
  SegNetImpl(const std::string& module_name, ModelConfig config, InputSpec spec);
  virtual NetOutput forward(const torch::Tensor& x) = 0;

  const InputSpec& input_spec() const { return spec_; }
  const ModelConfig& config() const { return config_; }
  // One line: net, options and input, e.g. "portrait_net(in_channels=4, boundary_head=true) 4x224x224 bgr".
  std::string describe() const;
  // Parameter-name prefixes of branches that exist only for training (dropped by export).
  virtual std::vector<std::string> training_only_prefixes() const { return {}; }
  // True when forward also returns boundary logits.
  virtual bool has_boundary_head() const { return false; }
  // The fewest images a training batch may hold: 2 where a BatchNorm normalises a 1x1 map (one value per channel
  // per image, which training-mode batch statistics cannot normalise).
  virtual int64_t min_train_batch() const { return 1; }

  int64_t parameter_count() const;
  int64_t deploy_parameter_count() const;

 private:
  ModelConfig config_;
  InputSpec spec_;
};

using SegNet = std::shared_ptr<SegNetImpl>;

// Foreground probability from mask logits: sigmoid for 1 channel, softmax channel 1 for 2 channels.
torch::Tensor foreground_probability(const torch::Tensor& mask_logits);

}  // namespace pseg
