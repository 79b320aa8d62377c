// The activation planner: hand-worked plans, and on random lives the two rules every plan must keep (buffers alive
// at the same step never share a byte; offsets aligned) with a block no larger than giving each buffer its own.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "core/onnx_exec/buffer_plan.h"

using namespace pseg;

TEST_CASE("buffer plan: a chain reuses the bytes of values whose readers have run", "[onnx_exec][buffer_plan]") {
  // a -> b -> c -> d: each value read by the next step only.
  const std::vector<BufferLife> chain{{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
  const BufferPlan plan = plan_buffers(chain);
  CHECK(plan.offsets == std::vector<size_t>{0, 1024, 0, 1024});
  CHECK(plan.total_bytes == 2024);
}

TEST_CASE("buffer plan: the largest buffer first, the others in the lowest gap that fits", "[onnx_exec][buffer_plan]") {
  // A skip connection: `skip` (300) lives across the whole run; `big` (500) from 1 to 2; `small` (100) from 2 to 3,
  // with all three others at some step; `late` (500) from 3 to 4, after `big`.
  const std::vector<BufferLife> lives{{300, 0, 4}, {500, 1, 2}, {100, 2, 3}, {500, 3, 4}};
  const BufferPlan plan = plan_buffers(lives, 64);
  // big at 0; late at 0 too (big is done by then); skip after them at 512; small after skip at 832.
  CHECK(plan.offsets == std::vector<size_t>{512, 0, 832, 0});
  CHECK(plan.total_bytes == 932);
}

TEST_CASE("buffer plan: random lives never share bytes while both are alive", "[onnx_exec][buffer_plan]") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::uniform_int_distribution<int> count_of(1, 40), step_of(0, 30);
    std::uniform_int_distribution<size_t> bytes_of(0, 5000);
    std::vector<BufferLife> lives(static_cast<size_t>(count_of(rng)));
    size_t separate = 0;
    for (auto& life : lives) {
      life.bytes = bytes_of(rng);
      life.first = step_of(rng);
      life.last = life.first + step_of(rng) / 3;
      separate += (life.bytes + 127) / 128 * 128;
    }
    const BufferPlan plan = plan_buffers(lives, 128);
    REQUIRE(plan.offsets.size() == lives.size());
    size_t peak = 0;  // the most bytes alive at one step: no plan can use less
    for (int step = 0; step <= 40; ++step) {
      size_t alive = 0;
      for (const auto& life : lives) alive += life.first <= step && step <= life.last ? life.bytes : 0;
      peak = std::max(peak, alive);
    }
    CHECK(plan.total_bytes >= peak);
    CHECK(plan.total_bytes <= separate);
    for (size_t i = 0; i < lives.size(); ++i) {
      CHECK(plan.offsets[i] % 128 == 0);
      CHECK(plan.offsets[i] + lives[i].bytes <= plan.total_bytes);
      for (size_t j = i + 1; j < lives.size(); ++j) {
        const bool together = lives[i].first <= lives[j].last && lives[j].first <= lives[i].last;
        const bool apart = plan.offsets[i] + lives[i].bytes <= plan.offsets[j] ||
                           plan.offsets[j] + lives[j].bytes <= plan.offsets[i];
        if (together && lives[i].bytes > 0 && lives[j].bytes > 0) CHECK(apart);
      }
    }
  }
}

TEST_CASE("buffer plan: a life that ends before it starts is refused", "[onnx_exec][buffer_plan]") {
  CHECK_THROWS_WITH(plan_buffers({{8, 0, 1}, {8, 3, 2}}),
                    "plan_buffers: buffer 1 is last used (step 2) before it is first used (step 3)");
  CHECK_THROWS_AS(plan_buffers({{8, 0, 1}}, 0), std::invalid_argument);
  CHECK(plan_buffers({}).total_bytes == 0);
}
