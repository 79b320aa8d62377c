// Soft Dice on the foreground probability with ignore pixels excluded.
#include <torch/torch.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "losses/dice_loss.h"

using namespace pseg;

TEST_CASE("dice: value over the valid pixels and a finite-difference gradient check", "[losses][dice]") {
  auto z = torch::tensor({0.0, 2.0, -1.0, 3.0}, torch::kDouble).view({1, 1, 2, 2}).requires_grad_();
  auto y = torch::tensor({1, 0, 255, 1}, torch::kLong).view({1, 2, 2});
  auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
  auto dice = [&](double z0, double z1, double z3) {
    const double inter = sig(z0) * 1 + sig(z3) * 1;
    return 1 - (2 * inter + 1) / (sig(z0) + sig(z1) + sig(z3) + 2 + 1);
  };
  auto loss = dice_loss(z, y);
  CHECK(loss.item<double>() == Approx(dice(0, 2, 3)).epsilon(1e-12));
  loss.backward();
  auto g = z.grad().view({4});
  const double h = 1e-6;
  CHECK(g[0].item<double>() == Approx((dice(h, 2, 3) - dice(-h, 2, 3)) / (2 * h)).epsilon(1e-6));
  CHECK(g[1].item<double>() == Approx((dice(0, 2 + h, 3) - dice(0, 2 - h, 3)) / (2 * h)).epsilon(1e-6));
  CHECK(g[2].item<double>() == 0.0);
}

TEST_CASE("dice: 2-channel logits use softmax channel 1, a perfect prediction is near 0", "[losses][dice]") {
  auto label = torch::tensor({1, 0, 1, 0}, torch::kLong).view({1, 2, 2});
  auto fg = label.to(torch::kDouble) * 40 - 20;  // ±20 logits
  auto z = torch::stack({torch::zeros_like(fg), fg}, 1);
  CHECK(dice_loss(z, label).item<double>() == Approx(0.0).margin(1e-6));
  CHECK(dice_loss(-z, label).item<double>() == Approx(1 - 1.0 / 5).margin(1e-6));  // Σp = Σy = 2, no overlap: 1 − 1/(2 + 2 + 1)
}
