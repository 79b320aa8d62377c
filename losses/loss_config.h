#pragma once
// The `loss` section of a config as plain values (core parses the JSON into it). training.md §2.
#include <string>
#include <vector>

namespace pseg {

// One weighted term of the "custom" recipe. kind: a term of loss_term_registry() (losses/loss_registry.h).
struct LossTerm {
  std::string kind;
  double weight = 1.0;
};

struct LossConfig {
  // "bce" (1-channel heads), "ce" (2-channel heads), "portraitnet" (§2.5) or "custom" (weighted `terms`).
  std::string recipe = "bce";
  std::vector<LossTerm> terms;  // recipe "custom" only
  double focal_gamma = 2.0;
  double kl_temperature = 1.0;
  double kl_weight = 2.0;        // portraitnet: weight of KL(main ‖ plain)
  double boundary_weight = 0.1;  // portraitnet: weight of the focal boundary term
  bool boundary = false;         // portraitnet: add the focal term on the boundary head ("addEdge")
  // Second, deformation-only view ("stability"): portraitnet adds CE on it and the KL term; custom applies
  // its mask terms (bce, ce, dice) to it as well and allows a "kl" term.
  bool consistency = false;
  bool soft_targets = true;  // BCE trains on the batch's soft targets when it has them
};

// Rejects inconsistent settings with std::invalid_argument naming the loss.* key at fault.
void validate_loss_config(const LossConfig& config);

}  // namespace pseg
