// Optimiser construction from OptimConfig and learning-rate access (training.md §3.1, §3.3).
#include <torch/torch.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "core/optim/optim.h"

using namespace pseg;

TEST_CASE("optim: Adam with the Keras epsilon follows torch's update formula", "[core][optim]") {
  auto w = torch::tensor({1.0, -2.0}, torch::kDouble).requires_grad_();
  OptimConfig c;
  c.lr = 0.1;
  c.eps = 1e-7;
  auto opt = make_optimizer(c, {w});
  const auto& options = static_cast<const torch::optim::AdamOptions&>(opt->param_groups()[0].options());
  CHECK(options.eps() == 1e-7);
  CHECK(options.weight_decay() == 0.0);

  // Two steps with gradient g = w (loss = |w|²/2); check the second against the formula.
  double m[2] = {0, 0}, v[2] = {0, 0}, x[2] = {1.0, -2.0};
  for (int t = 1; t <= 2; ++t) {
    opt->zero_grad();
    (w * w).sum().mul(0.5).backward();
    opt->step();
    for (int i = 0; i < 2; ++i) {
      const double g = x[i];
      m[i] = 0.9 * m[i] + 0.1 * g;
      v[i] = 0.999 * v[i] + 0.001 * g * g;
      const double mhat = m[i] / (1 - std::pow(0.9, t));
      x[i] -= c.lr * mhat / (std::sqrt(v[i]) / std::sqrt(1 - std::pow(0.999, t)) + c.eps);
    }
  }
  CHECK(w[0].item<double>() == Approx(x[0]).epsilon(1e-12));
  CHECK(w[1].item<double>() == Approx(x[1]).epsilon(1e-12));
}

TEST_CASE("optim: coupled weight decay, SGD with momentum, learning-rate access", "[core][optim]") {
  auto w = torch::tensor({1.0}, torch::kDouble).requires_grad_();
  OptimConfig c;
  c.name = "sgd";
  c.lr = 0.5;
  c.momentum = 0.9;
  c.weight_decay = 0.1;
  auto opt = make_optimizer(c, {w});
  opt->zero_grad();
  (w * 0).sum().backward();  // zero loss gradient: only the L2 term moves w
  opt->step();
  CHECK(w.item<double>() == Approx(1.0 - 0.5 * 0.1 * 1.0));

  CHECK(learning_rate(*opt) == 0.5);
  set_learning_rate(*opt, 0.25);
  CHECK(learning_rate(*opt) == 0.25);

  c.name = "rmsprop";
  CHECK_THROWS_WITH(make_optimizer(c, {w}), Catch::Contains("optim.name"));
}
