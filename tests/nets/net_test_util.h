#pragma once
// Checks every net's unit tests share: shapes, gradients, modes, determinism, size refusal.
#include <torch/torch.h>

#include <catch2/catch.hpp>

#include "nets/registry.h"
#include "nets/segnet.h"

namespace pseg::test {

inline ModelConfig model(const std::string& net, std::map<std::string, OptionValue> options = {}, int64_t h = 0,
                         int64_t w = 0) {
  ModelConfig m;
  m.net = net;
  for (auto& [k, v] : options) m.options.set(k, v);
  m.height = h;
  m.width = w;
  return m;
}

// Parameter values of `m` and everything below it.
inline int64_t parameter_values(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

// BatchNorm running_mean + running_var values below `m`.
inline int64_t bn_statistic_values(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& b : m.named_buffers())
    if (b.key().find("running_") != std::string::npos) n += b.value().numel();
  return n;
}

inline SegNet seeded_net(const ModelConfig& m, uint64_t seed = 0) {
  torch::manual_seed(seed);
  return create_net(m);
}

inline torch::Tensor input_for(const SegNet& net, int64_t batch = 1) {
  const auto& s = net->input_spec();
  return torch::rand({batch, s.channels, s.height, s.width});
}

// Forward + backward on a small batch: every parameter that takes part gets a finite gradient.
inline void check_backward_finite(const SegNet& net, int64_t batch = 2) {
  net->train();
  auto out = net->forward(input_for(net, batch));
  auto loss = out.mask_logits.pow(2).mean();
  if (out.boundary_logits.defined()) loss = loss + out.boundary_logits.pow(2).mean();
  loss.backward();
  int64_t with_grad = 0;
  for (const auto& p : net->named_parameters()) {
    INFO("parameter " << p.key());
    REQUIRE(p.value().grad().defined());
    REQUIRE(torch::isfinite(p.value().grad()).all().item<bool>());
    ++with_grad;
  }
  REQUIRE(with_grad > 0);
}

inline void check_seed_determinism(const ModelConfig& m) {
  auto a = seeded_net(m, 7);
  auto b = seeded_net(m, 7);
  auto c = seeded_net(m, 8);
  a->eval();
  b->eval();
  c->eval();
  torch::manual_seed(1);
  auto x = input_for(a);
  torch::NoGradGuard ng;
  REQUIRE(torch::equal(a->forward(x).mask_logits, b->forward(x).mask_logits));
  REQUIRE_FALSE(torch::equal(a->forward(x).mask_logits, c->forward(x).mask_logits));
}

// For nets without BN or dropout: train and eval modes compute the same thing.
inline void check_no_mode_difference(const ModelConfig& m) {
  auto net = seeded_net(m);
  auto x = input_for(net);
  torch::NoGradGuard ng;
  net->train();
  auto a = net->forward(x).mask_logits;
  net->eval();
  REQUIRE(torch::equal(a, net->forward(x).mask_logits));
}

}  // namespace pseg::test
