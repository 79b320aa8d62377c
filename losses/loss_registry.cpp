#include "losses/loss_registry.h"

namespace pseg {

// Each loss file defines its entry; adding a loss term = its file plus one line here.
LossTermEntry bce_term();
LossTermEntry ce_term();
LossTermEntry focal_term();
LossTermEntry kl_term();
LossTermEntry dice_term();

Registry<LossTermEntry>& loss_term_registry() {
  static Registry<LossTermEntry> registry("loss term", {bce_term(), ce_term(), focal_term(), kl_term(), dice_term()});
  return registry;
}

std::vector<LossTerm> recipe_terms(const LossConfig& c) {
  if (c.recipe == "custom") return c.terms;
  if (c.recipe != "portraitnet") return {{c.recipe, 1.0}};
  std::vector<LossTerm> terms = {{"ce", 1.0}};
  if (c.consistency) terms.push_back({"kl", c.kl_weight});
  if (c.boundary) terms.push_back({"focal", c.boundary_weight});
  return terms;
}

}  // namespace pseg
