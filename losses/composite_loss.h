#pragma once
// The training loss a config's `loss` section describes: a weighted sum of the terms in losses/, over the
// main view, the optional deformation-only view (consistency) and the optional boundary head.
#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

#include "losses/loss_config.h"
#include "losses/loss_registry.h"

namespace pseg {

struct LossInputs {
  torch::Tensor logits;           // mask logits of the main view [N,1|2,H,W] (the texture-augmented view when one exists)
  torch::Tensor boundary_logits;  // edge head of the main view, or undefined
  torch::Tensor logits_plain;     // mask logits of the deformation-only view (consistency teacher), or undefined
  torch::Tensor label;            // [N,H,W] int64, 0/1/255
  torch::Tensor soft;             // [N,1,H,W] float soft target, or undefined
  torch::Tensor boundary;         // [N,H,W] int64 0/1 boundary target, or undefined
};

struct LossResult {
  torch::Tensor total;
  std::vector<std::pair<std::string, double>> terms;  // named, already multiplied by weight, for logging
};

class CompositeLoss {
 public:
  // Throws std::invalid_argument for an inconsistent config (validate_loss_config).
  explicit CompositeLoss(LossConfig config);

  // Throws std::invalid_argument when an input the recipe needs is missing or has the wrong channel count.
  LossResult operator()(const LossInputs& in) const;

  bool needs_plain_view() const;  // consistency on: the trainer runs the net on both views
  bool needs_boundary() const;    // focal term present: needs boundary_logits + boundary target
  // Checks the recipe against a net before training starts: mask logit channels and presence of a boundary head.
  void check_compatible(int64_t mask_channels, bool has_boundary_head) const;
  const LossConfig& config() const { return config_; }

 private:
  struct Term {
    const LossTermEntry* entry;  // losses/loss_registry.h
    double weight;
    bool plain_view;   // mask terms evaluated on the deformation-only view
    std::string name;  // for logs: "ce", "ce_plain", "kl", "focal", ...
  };
  std::string describe_recipe() const;

  LossConfig config_;
  std::vector<Term> terms_;
};

}  // namespace pseg
