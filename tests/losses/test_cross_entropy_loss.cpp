// Softmax cross-entropy with ignore index 255: hand-computed values and gradients (training.md §2.2).
#include <torch/torch.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "losses/cross_entropy_loss.h"

using namespace pseg;

TEST_CASE("ce: value and gradient over the non-ignored pixels only", "[losses][ce]") {
  // 1x2x2x2: channel 0 then channel 1 for pixels a, b, c, d.
  const double z0[4] = {0.0, 1.0, 2.0, -1.0};
  const double z1[4] = {1.0, -1.0, 0.5, 2.0};
  const int64_t y[4] = {1, 0, 255, 0};
  auto z = torch::tensor({z0[0], z0[1], z0[2], z0[3], z1[0], z1[1], z1[2], z1[3]}, torch::kDouble)
               .view({1, 2, 2, 2})
               .requires_grad_();
  auto label = torch::tensor({y[0], y[1], y[2], y[3]}, torch::kLong).view({1, 2, 2});
  auto loss = pseg::cross_entropy_loss(z, label);

  double expected = 0;
  double p1[4];
  for (int i = 0; i < 4; ++i) {
    const double lse = std::log(std::exp(z0[i]) + std::exp(z1[i]));
    p1[i] = std::exp(z1[i] - lse);
    if (y[i] != 255) expected += lse - (y[i] == 1 ? z1[i] : z0[i]);
  }
  expected /= 3;
  CHECK(loss.item<double>() == Approx(expected).epsilon(1e-12));

  loss.backward();
  auto g = z.grad().view({2, 4});
  for (int i = 0; i < 4; ++i) {
    INFO("pixel " << i);
    const double g1 = y[i] == 255 ? 0.0 : (p1[i] - (y[i] == 1)) / 3;
    CHECK(g[1][i].item<double>() == Approx(g1).margin(1e-12));
    CHECK(g[0][i].item<double>() == Approx(-g1).margin(1e-12));  // the two channels' gradients cancel
  }
}

TEST_CASE("ce: a batch of only ignore pixels gives 0, not NaN", "[losses][ce]") {
  auto z = torch::randn({1, 2, 2, 2}, torch::kDouble).requires_grad_();
  auto loss = pseg::cross_entropy_loss(z, torch::full({1, 2, 2}, 255, torch::kLong));
  CHECK(loss.item<double>() == 0.0);
}

TEST_CASE("ce: refuses 1-channel logits", "[losses][ce]") {
  CHECK_THROWS_WITH(pseg::cross_entropy_loss(torch::zeros({1, 1, 2, 2}), torch::zeros({1, 2, 2}, torch::kLong)),
                    Catch::Contains("2-channel"));
}
