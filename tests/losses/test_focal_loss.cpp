// PortraitNet focal boundary loss: value, mean over N·H·W, and the detached modulating factor (training.md §2.3).
#include <torch/torch.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "losses/focal_loss.h"

using namespace pseg;

TEST_CASE("focal: value is the mean over all pixels of -(1-pt)^gamma log pt", "[losses][focal]") {
  const double e0[2] = {0.2, 1.5};
  const double e1[2] = {-0.4, 0.5};
  const int64_t b[2] = {0, 1};
  auto e = torch::tensor({e0[0], e0[1], e1[0], e1[1]}, torch::kDouble).view({1, 2, 1, 2}).requires_grad_();
  auto target = torch::tensor({b[0], b[1]}, torch::kLong).view({1, 1, 2});
  auto loss = focal_boundary_loss(e, target, 2.0);

  double expected = 0, s1[2], pt[2];
  for (int i = 0; i < 2; ++i) {
    const double lse = std::log(std::exp(e0[i]) + std::exp(e1[i]));
    const double logpt = (b[i] == 1 ? e1[i] : e0[i]) - lse;
    pt[i] = std::exp(logpt);
    s1[i] = std::exp(e1[i] - lse);
    expected += -std::pow(1 - pt[i], 2) * logpt;
  }
  expected /= 2;
  CHECK(loss.item<double>() == Approx(expected).epsilon(1e-12));

  loss.backward();
  auto g = e.grad().view({2, 2});
  for (int i = 0; i < 2; ++i) {
    INFO("pixel " << i);
    // detached factor: dL/dlogpt = -(1-pt)^2 / (N·H·W); dlogpt/de_1 = [b == 1] - softmax_1
    const double dl_dlogpt = -std::pow(1 - pt[i], 2) / 2;
    const double detached = dl_dlogpt * ((b[i] == 1) - s1[i]);
    CHECK(g[1][i].item<double>() == Approx(detached).epsilon(1e-10));
    // textbook focal loss would add gamma·(1-pt)·pt·log pt / (N·H·W) to dL/dlogpt
    const double logpt = std::log(pt[i]);
    const double textbook = (dl_dlogpt + 2 * (1 - pt[i]) * pt[i] * logpt / 2) * ((b[i] == 1) - s1[i]);
    CHECK(std::abs(g[1][i].item<double>() - textbook) > 1e-3);
  }
}

TEST_CASE("focal: gamma 0 is plain cross-entropy over every pixel", "[losses][focal]") {
  torch::manual_seed(3);
  auto e = torch::randn({2, 2, 3, 3}, torch::kDouble);
  auto b = torch::randint(0, 2, {2, 3, 3}, torch::kLong);
  auto ce = torch::nn::functional::cross_entropy(e, b);
  CHECK(focal_boundary_loss(e, b, 0.0).item<double>() == Approx(ce.item<double>()).epsilon(1e-12));
}

TEST_CASE("focal: the boundary target has no ignore value", "[losses][focal]") {
  auto b = torch::tensor({0, 255}, torch::kLong).view({1, 1, 2});
  CHECK_THROWS_WITH(focal_boundary_loss(torch::zeros({1, 2, 1, 2}), b), Catch::Contains("0/1"));
}
