// The one shape-checked weight copy: every parameter and every buffer by name, a missing or mis-shaped one of
// either kind refused with a message naming it (train.init_from used to skip buffers silently).
#include <torch/torch.h>

#include <catch2/catch.hpp>

#include "core/model_io/weight_copy.h"

using namespace pseg;

namespace {

// Two parameters of the same shape registered in either order: only a copy by name gets them right.
struct Pair : torch::nn::Module {
  explicit Pair(bool a_first) {
    if (a_first) {
      a = register_parameter("a", torch::full({2}, 1.0f));
      b = register_parameter("b", torch::full({2}, 2.0f));
    } else {
      b = register_parameter("b", torch::full({2}, 2.0f));
      a = register_parameter("a", torch::full({2}, 1.0f));
    }
  }
  torch::Tensor a, b;
};

// A module with one parameter and one buffer of chosen sizes.
struct Probe : torch::nn::Module {
  Probe(int64_t weight, int64_t stats, bool with_stats = true) {
    w = register_parameter("w", torch::full({weight}, 1.0f));
    if (with_stats) s = register_buffer("stats", torch::full({stats}, 2.0f));
  }
  torch::Tensor w, s;
};

}  // namespace

TEST_CASE("weight copy: parameters and buffers are copied by name", "[core][weight_copy]") {
  Probe dst(3, 2), src(3, 2);
  src.w.data().copy_(torch::tensor({1.f, 2.f, 3.f}));
  src.s.copy_(torch::tensor({5.f, 6.f}));
  copy_net_state(dst, src, "init");
  CHECK(torch::equal(dst.w, src.w));
  CHECK(torch::equal(dst.s, src.s));
}

TEST_CASE("weight copy: by name, not by registration order", "[core][weight_copy]") {
  Pair dst(true), src(false);
  src.a.data().fill_(7.f);
  src.b.data().fill_(9.f);
  copy_net_state(dst, src, "init");
  CHECK(dst.a.eq(7.f).all().item<bool>());
  CHECK(dst.b.eq(9.f).all().item<bool>());
}

TEST_CASE("weight copy: a missing or mis-shaped buffer is refused like a parameter", "[core][weight_copy]") {
  Probe dst(3, 2);
  CHECK_THROWS_WITH(copy_net_state(dst, Probe(3, 5), "train.init_from: a.ckpt"),
                    "train.init_from: a.ckpt: buffer stats of shape [5], the net has [2]");
  CHECK_THROWS_WITH(copy_net_state(dst, Probe(3, 2, false), "train.init_from: a.ckpt"),
                    "train.init_from: a.ckpt: buffer stats missing");
  CHECK_THROWS_WITH(copy_net_state(dst, Probe(4, 2), "train.init_from: a.ckpt"),
                    "train.init_from: a.ckpt: parameter w of shape [4], the net has [3]");
}
