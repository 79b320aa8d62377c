#include "losses/loss_registry.h"

#include <stdexcept>

namespace pseg {

// Each loss file defines its entry; adding a loss term = its file plus one line here.
LossTermEntry bce_term();
LossTermEntry ce_term();
LossTermEntry focal_term();
LossTermEntry kl_term();
LossTermEntry dice_term();

namespace {

std::vector<LossTermEntry>& entries() {
  static std::vector<LossTermEntry> list = {bce_term(), ce_term(), focal_term(), kl_term(), dice_term()};
  return list;
}

}  // namespace

const std::vector<LossTermEntry>& loss_term_registry() { return entries(); }

void register_loss_term(LossTermEntry entry) {
  if (find_loss_term(entry.name)) throw std::invalid_argument("loss term \"" + entry.name + "\" is already registered");
  entries().push_back(std::move(entry));
}

const LossTermEntry* find_loss_term(const std::string& name) {
  for (const auto& e : entries())
    if (e.name == name) return &e;
  return nullptr;
}

std::vector<std::string> loss_term_names() {
  std::vector<std::string> names;
  for (const auto& e : entries()) names.push_back(e.name);
  return names;
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
