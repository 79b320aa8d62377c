// Composite recipes: term lists, weights, the PortraitNet table (training.md §2.5) and missing-input errors.
#include <torch/torch.h>

#include <catch2/catch.hpp>

#include "losses/bce_loss.h"
#include "losses/composite_loss.h"
#include "losses/cross_entropy_loss.h"
#include "losses/dice_loss.h"
#include "losses/focal_loss.h"
#include "losses/kl_loss.h"

using namespace pseg;

namespace {

LossInputs two_channel_inputs() {
  torch::manual_seed(11);
  LossInputs in;
  in.logits = torch::randn({2, 2, 4, 4}, torch::kDouble).requires_grad_();
  in.logits_plain = torch::randn({2, 2, 4, 4}, torch::kDouble).requires_grad_();
  in.boundary_logits = torch::randn({2, 2, 4, 4}, torch::kDouble).requires_grad_();
  in.label = torch::randint(0, 2, {2, 4, 4}, torch::kLong);
  in.label[0][0][0] = 255;
  in.boundary = torch::randint(0, 2, {2, 4, 4}, torch::kLong);
  return in;
}

LossConfig portraitnet(bool boundary, bool consistency) {
  LossConfig c;
  c.recipe = "portraitnet";
  c.boundary = boundary;
  c.consistency = consistency;
  return c;
}

std::vector<std::string> names(const LossResult& r) {
  std::vector<std::string> n;
  for (const auto& t : r.terms) n.push_back(t.first);
  return n;
}

}  // namespace

TEST_CASE("composite: the four PortraitNet combinations of boundary and consistency", "[losses][composite]") {
  const auto in = two_channel_inputs();
  const double ce = pseg::cross_entropy_loss(in.logits, in.label).item<double>();
  const double ce_plain = pseg::cross_entropy_loss(in.logits_plain, in.label).item<double>();
  const double kl = kl_consistency_loss(in.logits, in.logits_plain).item<double>();
  const double focal = focal_boundary_loss(in.boundary_logits, in.boundary).item<double>();

  const auto both = CompositeLoss(portraitnet(true, true))(in);
  CHECK(both.total.item<double>() == Approx(ce + ce_plain + 2 * kl + 0.1 * focal).epsilon(1e-12));
  CHECK(names(both) == std::vector<std::string>{"ce", "ce_plain", "kl", "focal"});
  CHECK(both.terms[3].second == Approx(0.1 * focal));  // logged already weighted

  CHECK(CompositeLoss(portraitnet(true, false))(in).total.item<double>() == Approx(ce + 0.1 * focal).epsilon(1e-12));
  CHECK(CompositeLoss(portraitnet(false, true))(in).total.item<double>() ==
        Approx(ce + ce_plain + 2 * kl).epsilon(1e-12));
  CHECK(CompositeLoss(portraitnet(false, false))(in).total.item<double>() == Approx(ce).epsilon(1e-12));

  CHECK(CompositeLoss(portraitnet(true, true)).needs_plain_view());
  CHECK(CompositeLoss(portraitnet(true, true)).needs_boundary());
  CHECK_FALSE(CompositeLoss(portraitnet(false, false)).needs_plain_view());
  CHECK_FALSE(CompositeLoss(portraitnet(false, false)).needs_boundary());
}

TEST_CASE("composite: the KL teacher (plain view) gets gradient only from its own CE term", "[losses][composite]") {
  auto in = two_channel_inputs();
  CompositeLoss(portraitnet(false, true))(in).total.backward();
  auto expected_plain = in.logits_plain.detach().clone().requires_grad_();
  pseg::cross_entropy_loss(expected_plain, in.label).backward();
  CHECK(torch::allclose(in.logits_plain.grad(), expected_plain.grad(), 1e-12, 1e-14));
}

TEST_CASE("composite: bce and ce recipes, soft targets switch", "[losses][composite]") {
  torch::manual_seed(2);
  LossInputs in;
  in.logits = torch::randn({1, 1, 3, 3}, torch::kDouble);
  in.label = torch::randint(0, 2, {1, 3, 3}, torch::kLong);
  in.soft = torch::rand({1, 1, 3, 3}, torch::kDouble);
  LossConfig c;  // recipe bce, soft targets on
  CHECK(CompositeLoss(c)(in).total.item<double>() ==
        Approx(bce_with_logits_loss(in.logits, in.label, in.soft).item<double>()));
  c.soft_targets = false;
  CHECK(CompositeLoss(c)(in).total.item<double>() ==
        Approx(bce_with_logits_loss(in.logits, in.label).item<double>()));

  c.recipe = "ce";
  CHECK_THROWS_WITH(CompositeLoss(c)(in), Catch::Contains("2-channel") && Catch::Contains("\"bce\""));
  LossConfig b;
  in.logits = torch::randn({1, 2, 3, 3}, torch::kDouble);
  CHECK_THROWS_WITH(CompositeLoss(b)(in), Catch::Contains("1-channel") && Catch::Contains("\"ce\""));
}

TEST_CASE("composite: custom weighted terms, consistency repeats the mask terms on the plain view",
          "[losses][composite]") {
  auto in = two_channel_inputs();
  LossConfig c;
  c.recipe = "custom";
  c.terms = {{"ce", 1.0}, {"dice", 0.5}, {"focal", 0.3}};
  const double ce = pseg::cross_entropy_loss(in.logits, in.label).item<double>();
  const double dice = dice_loss(in.logits, in.label).item<double>();
  const double focal = focal_boundary_loss(in.boundary_logits, in.boundary).item<double>();
  CHECK(CompositeLoss(c)(in).total.item<double>() == Approx(ce + 0.5 * dice + 0.3 * focal).epsilon(1e-12));

  c.consistency = true;
  c.terms = {{"ce", 1.0}, {"kl", 2.0}};
  const double ce_plain = pseg::cross_entropy_loss(in.logits_plain, in.label).item<double>();
  const double kl = kl_consistency_loss(in.logits, in.logits_plain).item<double>();
  const auto r = CompositeLoss(c)(in);
  CHECK(names(r) == std::vector<std::string>{"ce", "ce_plain", "kl"});
  CHECK(r.total.item<double>() == Approx(ce + ce_plain + 2 * kl).epsilon(1e-12));
}

TEST_CASE("composite: missing inputs and inconsistent configs are clear errors", "[losses][composite]") {
  auto in = two_channel_inputs();
  in.boundary_logits = torch::Tensor();
  CHECK_THROWS_WITH(CompositeLoss(portraitnet(true, false))(in),
                    Catch::Contains("loss.recipe portraitnet with boundary: the net has no boundary head") &&
                        Catch::Contains("model.boundary_head"));
  CHECK_THROWS_WITH(CompositeLoss(portraitnet(true, false)).check_compatible(2, false),
                    Catch::Contains("no boundary head"));
  CHECK_NOTHROW(CompositeLoss(portraitnet(true, false)).check_compatible(2, true));

  in = two_channel_inputs();
  in.logits_plain = torch::Tensor();
  CHECK_THROWS_WITH(CompositeLoss(portraitnet(false, true))(in), Catch::Contains("plain"));
  in = two_channel_inputs();
  in.boundary = torch::Tensor();
  CHECK_THROWS_WITH(CompositeLoss(portraitnet(true, false))(in), Catch::Contains("boundary target"));

  LossConfig kl_alone;
  kl_alone.recipe = "custom";
  kl_alone.terms = {{"kl", 1.0}};
  CHECK_THROWS_WITH(CompositeLoss(kl_alone), Catch::Contains("loss.terms[0].kind") && Catch::Contains("consistency"));
  LossConfig bce_consistency;
  bce_consistency.consistency = true;
  CHECK_THROWS_WITH(CompositeLoss(bce_consistency), Catch::Contains("loss.consistency"));
  LossConfig empty_custom;
  empty_custom.recipe = "custom";
  CHECK_THROWS_WITH(CompositeLoss(empty_custom), Catch::Contains("loss.terms"));
}
