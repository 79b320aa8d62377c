#include "losses/composite_loss.h"

#include <torch/torch.h>

#include <stdexcept>


namespace pseg {

CompositeLoss::CompositeLoss(LossConfig config) : config_(std::move(config)) {
  validate_loss_config(config_);
  // Mask terms also apply to the plain view when the recipe teaches consistency ("ce" -> "ce", "ce_plain").
  for (const auto& t : recipe_terms(config_)) {
    const LossTermEntry* entry = loss_term_registry().find(t.kind);
    terms_.push_back({entry, t.weight, false, t.kind});
    if (entry->target == LossTermEntry::Target::Mask && config_.consistency)
      terms_.push_back({entry, t.weight, true, t.kind + "_plain"});
  }
}

bool CompositeLoss::needs_plain_view() const { return config_.consistency; }

bool CompositeLoss::needs_boundary() const {
  for (const auto& t : terms_)
    if (t.entry->target == LossTermEntry::Target::Boundary) return true;
  return false;
}

std::string CompositeLoss::describe_recipe() const {
  std::string s = "loss.recipe " + config_.recipe;
  if (config_.recipe == "portraitnet" && config_.boundary) s += " with boundary";
  return s;
}

void CompositeLoss::check_compatible(int64_t mask_channels, bool has_boundary_head) const {
  for (const auto& t : terms_) {
    const std::string why = t.entry->fits(mask_channels);
    if (!why.empty()) throw std::invalid_argument(describe_recipe() + ": " + why);
    if (t.entry->target == LossTermEntry::Target::Boundary && !has_boundary_head)
      throw std::invalid_argument(describe_recipe() + ": the net has no boundary head (set model.boundary_head)");
  }
}

LossResult CompositeLoss::operator()(const LossInputs& in) const {
  if (!in.logits.defined() || in.logits.dim() != 4)
    throw std::invalid_argument(describe_recipe() + ": expected mask logits [N,C,H,W]");
  check_compatible(in.logits.size(1), in.boundary_logits.defined());
  if (needs_plain_view() && !in.logits_plain.defined())
    throw std::invalid_argument(describe_recipe() +
                                " with consistency: no logits of the deformation-only (plain) view were given");
  if (needs_boundary() && !in.boundary.defined())
    throw std::invalid_argument(describe_recipe() + ": the batch has no boundary target (the data pipeline must "
                                "produce boundary maps for this loss)");
  LossResult result;
  for (const auto& t : terms_) {
    const torch::Tensor value = t.entry->compute(t.plain_view ? in.logits_plain : in.logits, in, config_) * t.weight;
    result.total = result.total.defined() ? result.total + value : value;
    result.terms.emplace_back(t.name, value.item<double>());
  }
  return result;
}

}  // namespace pseg
