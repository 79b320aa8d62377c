#include "losses/composite_loss.h"

#include <torch/torch.h>

#include <stdexcept>

#include "losses/bce_loss.h"
#include "losses/cross_entropy_loss.h"
#include "losses/dice_loss.h"
#include "losses/focal_loss.h"
#include "losses/kl_loss.h"

namespace pseg {

CompositeLoss::CompositeLoss(LossConfig config) : config_(std::move(config)) {
  validate_loss_config(config_);
  const auto& c = config_;
  if (c.recipe == "bce") {
    terms_.push_back({Kind::Bce, 1.0, false, "bce"});
  } else if (c.recipe == "ce") {
    terms_.push_back({Kind::Ce, 1.0, false, "ce"});
  } else if (c.recipe == "portraitnet") {  // training.md §2.5
    terms_.push_back({Kind::Ce, 1.0, false, "ce"});
    if (c.consistency) {
      terms_.push_back({Kind::Ce, 1.0, true, "ce_plain"});
      terms_.push_back({Kind::Kl, c.kl_weight, false, "kl"});
    }
    if (c.boundary) terms_.push_back({Kind::Focal, c.boundary_weight, false, "focal"});
  } else {
    for (const auto& t : c.terms) {
      const Kind kind = t.kind == "bce"     ? Kind::Bce
                        : t.kind == "ce"    ? Kind::Ce
                        : t.kind == "focal" ? Kind::Focal
                        : t.kind == "kl"    ? Kind::Kl
                                            : Kind::Dice;
      terms_.push_back({kind, t.weight, false, t.kind});
      const bool mask_term = kind == Kind::Bce || kind == Kind::Ce || kind == Kind::Dice;
      if (mask_term && c.consistency) terms_.push_back({kind, t.weight, true, t.kind + "_plain"});
    }
  }
}

bool CompositeLoss::needs_plain_view() const { return config_.consistency; }

bool CompositeLoss::needs_boundary() const {
  for (const auto& t : terms_)
    if (t.kind == Kind::Focal) return true;
  return false;
}

std::string CompositeLoss::describe_recipe() const {
  std::string s = "loss.recipe " + config_.recipe;
  if (config_.recipe == "portraitnet" && config_.boundary) s += " with boundary";
  return s;
}

void CompositeLoss::check_compatible(int64_t mask_channels, bool has_boundary_head) const {
  for (const auto& t : terms_) {
    if (t.kind == Kind::Bce && mask_channels != 1)
      throw std::invalid_argument(describe_recipe() + ": binary cross-entropy needs a 1-channel net, this one has " +
                                  std::to_string(mask_channels) + " mask channels (use \"ce\")");
    if (t.kind == Kind::Ce && mask_channels != 2)
      throw std::invalid_argument(describe_recipe() + ": cross-entropy needs a 2-channel net, this one has " +
                                  std::to_string(mask_channels) + " mask channel(s) (use \"bce\")");
    if ((t.kind == Kind::Kl || t.kind == Kind::Dice) && mask_channels != 1 && mask_channels != 2)
      throw std::invalid_argument(describe_recipe() + ": expected 1 or 2 mask channels, got " +
                                  std::to_string(mask_channels));
    if (t.kind == Kind::Focal && !has_boundary_head)
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
  const torch::Tensor soft = config_.soft_targets ? in.soft : torch::Tensor();

  LossResult result;
  for (const auto& t : terms_) {
    const auto& z = t.plain_view ? in.logits_plain : in.logits;
    torch::Tensor value;
    switch (t.kind) {
      case Kind::Bce: value = bce_with_logits_loss(z, in.label, soft); break;
      case Kind::Ce: value = pseg::cross_entropy_loss(z, in.label); break;
      case Kind::Dice: value = dice_loss(z, in.label, soft); break;
      case Kind::Kl: value = kl_consistency_loss(in.logits, in.logits_plain, config_.kl_temperature); break;
      case Kind::Focal: value = focal_boundary_loss(in.boundary_logits, in.boundary, config_.focal_gamma); break;
    }
    value = value * t.weight;
    result.total = result.total.defined() ? result.total + value : value;
    result.terms.emplace_back(t.name, value.item<double>());
  }
  return result;
}

}  // namespace pseg
