// BCE with logits: hand-computed values and gradients, ignore pixels, soft targets (training.md §2.1).
#include <torch/torch.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "losses/bce_loss.h"

using namespace pseg;

namespace {
double softplus(double z) { return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z))); }
double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }
}  // namespace

TEST_CASE("bce: value and gradient exclude ignore pixels from numerator and denominator", "[losses][bce]") {
  auto z = torch::tensor({0.0, 2.0, -1.0, 3.0}, torch::kDouble).view({1, 1, 2, 2}).requires_grad_();
  auto y = torch::tensor({1, 0, 255, 1}, torch::kLong).view({1, 2, 2});
  auto loss = bce_with_logits_loss(z, y);
  // ℓ = softplus(z) − z·y over the 3 valid pixels
  const double expected = (softplus(0) - 0 + softplus(2) + softplus(3) - 3) / 3;
  CHECK(loss.item<double>() == Approx(expected).epsilon(1e-12));
  loss.backward();
  auto g = z.grad().view({4});
  CHECK(g[0].item<double>() == Approx((sigmoid(0) - 1) / 3));
  CHECK(g[1].item<double>() == Approx(sigmoid(2) / 3));
  CHECK(g[2].item<double>() == 0.0);
  CHECK(g[3].item<double>() == Approx((sigmoid(3) - 1) / 3));
}

TEST_CASE("bce: soft targets replace the label, the label still marks ignore pixels", "[losses][bce]") {
  auto z = torch::tensor({0.5, -2.0, 1.0, 4.0}, torch::kDouble).view({1, 1, 2, 2}).requires_grad_();
  auto y = torch::tensor({1, 0, 255, 1}, torch::kLong).view({1, 2, 2});
  auto soft = torch::tensor({0.3, 0.8, 0.5, 1.0}, torch::kDouble).view({1, 1, 2, 2});
  auto loss = bce_with_logits_loss(z, y, soft);
  const double expected = (softplus(0.5) - 0.5 * 0.3 + softplus(-2) + 2 * 0.8 + softplus(4) - 4) / 3;
  CHECK(loss.item<double>() == Approx(expected).epsilon(1e-12));
  loss.backward();
  auto g = z.grad().view({4});
  CHECK(g[1].item<double>() == Approx((sigmoid(-2) - 0.8) / 3));
  CHECK(g[2].item<double>() == 0.0);
}

TEST_CASE("bce: a batch of only ignore pixels gives 0, not NaN", "[losses][bce]") {
  auto z = torch::randn({2, 1, 2, 2}, torch::kDouble).requires_grad_();
  auto y = torch::full({2, 2, 2}, 255, torch::kLong);
  auto loss = bce_with_logits_loss(z, y);
  CHECK(loss.item<double>() == 0.0);
  loss.backward();
  CHECK(z.grad().abs().sum().item<double>() == 0.0);
}

TEST_CASE("bce: refuses 2-channel logits and mismatched labels", "[losses][bce]") {
  auto y = torch::zeros({1, 2, 2}, torch::kLong);
  CHECK_THROWS_WITH(bce_with_logits_loss(torch::zeros({1, 2, 2, 2}), y), Catch::Contains("1-channel"));
  CHECK_THROWS_WITH(bce_with_logits_loss(torch::zeros({1, 1, 3, 2}), y), Catch::Contains("label"));
}
