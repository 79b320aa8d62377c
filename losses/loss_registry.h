#pragma once
// The loss terms a config can weigh (`loss.terms[].kind`, and the recipes that expand to terms), one file each
// (losses/<term>_loss.cpp): what each compares, which nets it fits and how it is computed.
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

#include "core/common/registry.h"
#include "losses/loss_config.h"

namespace pseg {

struct LossInputs;

struct LossTermEntry {
  enum class Target {
    Mask,         // mask logits against the label; with loss.consistency also applied to the plain view
    Consistency,  // the main view against the plain view (needs loss.consistency)
    Boundary,     // the boundary head against the boundary target
  };
  std::string name;
  std::string summary;
  Target target = Target::Mask;
  // "" when a net with this many mask logit channels fits, else why not.
  std::function<std::string(int64_t mask_channels)> fits;
  // The unweighted term; `z` is the mask logits of the view it applies to.
  std::function<torch::Tensor(const torch::Tensor& z, const LossInputs& in, const LossConfig& config)> compute;
};

// Every loss term by name; an application or a test may add its own (core/common/registry.h).
Registry<LossTermEntry>& loss_term_registry();

// The weighted terms a recipe stands for: "bce" and "ce" one term, "portraitnet" CE (+ KL with consistency,
// + focal with boundary; training.md §2.5), "custom" its own list.
std::vector<LossTerm> recipe_terms(const LossConfig& config);

}  // namespace pseg
