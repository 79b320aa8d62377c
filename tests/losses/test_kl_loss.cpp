// KL consistency loss: element mean over N·C·H·W times T², teacher detached (training.md §2.4).
#include <torch/torch.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "losses/kl_loss.h"

using namespace pseg;

namespace {
// softmax over two logits at temperature t: probability of the second
double p_second(double a, double b, double t) { return 1.0 / (1.0 + std::exp((a - b) / t)); }
}  // namespace

TEST_CASE("kl: element mean (not batch mean) times T squared, gradient only to the student", "[losses][kl]") {
  for (double t : {1.0, 2.0}) {
    INFO("temperature " << t);
    const double s[2][2] = {{0.3, -1.0}, {1.2, 0.4}};  // [channel][pixel]
    const double q[2][2] = {{-0.5, 0.7}, {0.9, 0.1}};
    auto student = torch::tensor({s[0][0], s[0][1], s[1][0], s[1][1]}, torch::kDouble).view({1, 2, 1, 2});
    auto teacher = torch::tensor({q[0][0], q[0][1], q[1][0], q[1][1]}, torch::kDouble).view({1, 2, 1, 2});
    student.requires_grad_();
    teacher.requires_grad_();
    auto loss = kl_consistency_loss(student, teacher, t);

    double sum = 0;
    double ps[2][2], pq[2][2];
    for (int i = 0; i < 2; ++i) {
      ps[1][i] = p_second(s[0][i], s[1][i], t);
      ps[0][i] = 1 - ps[1][i];
      pq[1][i] = p_second(q[0][i], q[1][i], t);
      pq[0][i] = 1 - pq[1][i];
      for (int c = 0; c < 2; ++c) sum += pq[c][i] * (std::log(pq[c][i]) - std::log(ps[c][i]));
    }
    const double elements = 1 * 2 * 1 * 2;
    CHECK(loss.item<double>() == Approx(t * t * sum / elements).epsilon(1e-10));

    loss.backward();
    CHECK_FALSE((teacher.grad().defined() && teacher.grad().abs().sum().item<double>() != 0));
    auto g = student.grad().view({2, 2});
    for (int c = 0; c < 2; ++c)
      for (int i = 0; i < 2; ++i)  // d/dz_s = T·(p − q) / (N·C·H·W)
        CHECK(g[c][i].item<double>() == Approx(t * (ps[c][i] - pq[c][i]) / elements).epsilon(1e-10));
  }
}

TEST_CASE("kl: 1-channel logits are the two classes [1 - sigmoid, sigmoid]", "[losses][kl]") {
  torch::manual_seed(5);
  auto a = torch::randn({2, 1, 3, 3}, torch::kDouble);
  auto b = torch::randn({2, 1, 3, 3}, torch::kDouble);
  auto two = [](const torch::Tensor& z) { return torch::cat({torch::zeros_like(z), z}, 1); };
  CHECK(kl_consistency_loss(a, b).item<double>() == Approx(kl_consistency_loss(two(a), two(b)).item<double>()));
  CHECK(kl_consistency_loss(a, a).item<double>() == Approx(0.0).margin(1e-15));
}

TEST_CASE("kl: refuses mismatched shapes", "[losses][kl]") {
  CHECK_THROWS_WITH(kl_consistency_loss(torch::zeros({1, 2, 2, 2}), torch::zeros({1, 2, 2, 3})),
                    Catch::Contains("same shape"));
}
