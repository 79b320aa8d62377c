// run_three_stages: every item passes the three stages in order, and an exception from any stage stops the others
// (no hang) and reaches the caller.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/common/pipeline.h"

using pseg::run_three_stages;

namespace {

// 0..n-1 through "x2" into a vector, throwing at item `throw_at` in the stage named `where` ("" = never).
std::vector<int> run(int n, const std::string& where, int throw_at) {
  std::vector<int> out;
  const auto maybe_throw = [&](const std::string& stage, int item) {
    if (stage == where && item == throw_at) throw std::runtime_error(stage + " failed");
  };
  run_three_stages<int, int>(
      2,
      [&](const auto& emit) {
        for (int i = 0; i < n; ++i) {
          maybe_throw("produce", i);
          if (!emit(i)) return;
        }
      },
      [&](int i) {
        maybe_throw("transform", i);
        return 2 * i;
      },
      [&](int i) {
        maybe_throw("consume", i / 2);
        out.push_back(i);
      });
  return out;
}

}  // namespace

TEST_CASE("three stages: every item, in order, each stage on its own thread", "[common][pipeline]") {
  const std::vector<int> out = run(500, "", -1);
  REQUIRE(out.size() == 500);
  for (int i = 0; i < 500; ++i) CHECK(out[i] == 2 * i);

  std::vector<std::thread::id> threads(3);
  run_three_stages<int, int>(
      1,
      [&](const auto& emit) {
        threads[0] = std::this_thread::get_id();
        emit(1);
      },
      [&](int i) {
        threads[1] = std::this_thread::get_id();
        return i;
      },
      [&](int) { threads[2] = std::this_thread::get_id(); });
  CHECK(threads[1] == std::this_thread::get_id());
  CHECK(threads[0] != threads[1]);
  CHECK(threads[2] != threads[1]);
  CHECK(threads[0] != threads[2]);
}

TEST_CASE("three stages: an exception from any stage stops the others and is rethrown", "[common][pipeline]") {
  for (const std::string stage : {"produce", "transform", "consume"}) {
    INFO(stage);
    CHECK_THROWS_WITH(run(1000, stage, 7), stage + " failed");
  }
}
