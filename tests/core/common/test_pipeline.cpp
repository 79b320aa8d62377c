// run_three_stages and run_stages: every item passes the stages in order, whatever the number of middle workers, and
// an exception from any stage stops the others (no hang) and reaches the caller.
#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/common/pipeline.h"

using pseg::run_stages;
using pseg::run_three_stages;

namespace {

// 0..n-1 through "x2" on `workers` middle workers into a vector, throwing at item `throw_at` in the stage named
// `where` ("" = never).
std::vector<int> run(int n, const std::string& where, int throw_at, size_t workers = 1) {
  std::vector<int> out;
  const auto maybe_throw = [&](const std::string& stage, int item) {
    if (stage == where && item == throw_at) throw std::runtime_error(stage + " failed");
  };
  run_stages<int, int>(
      2, workers,
      [&](const auto& emit) {
        for (int i = 0; i < n; ++i) {
          maybe_throw("produce", i);
          if (!emit(i)) return;
        }
      },
      [&](size_t, int i) {
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
    CHECK_THROWS_WITH(run(1000, stage, 7, 3), stage + " failed");
  }
}

TEST_CASE("stages with several middle workers: item i on worker i % workers, consumed in order", "[common][pipeline]") {
  for (const size_t workers : {2, 3}) {
    for (const int n : {0, 1, 2, 7, 500}) {
      INFO(workers << " workers, " << n << " items");
      const std::vector<int> out = run(n, "", -1, workers);
      REQUIRE(out.size() == static_cast<size_t>(n));
      for (int i = 0; i < n; ++i) CHECK(out[i] == 2 * i);
    }
  }
  // Which worker (and thread) transformed each item; the slow first item must not let the others overtake it.
  std::vector<size_t> worker_of(9);
  std::vector<std::thread::id> thread_of(9);
  std::vector<int> order;
  run_stages<int, int>(
      1, 3,
      [&](const auto& emit) {
        for (int i = 0; i < 9; ++i) emit(i);
      },
      [&](size_t worker, int i) {
        if (i == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        worker_of[i] = worker;
        thread_of[i] = std::this_thread::get_id();
        return i;
      },
      [&](int i) { order.push_back(i); });
  for (int i = 0; i < 9; ++i) {
    CHECK(worker_of[i] == static_cast<size_t>(i % 3));
    CHECK(order[i] == i);
  }
  CHECK(thread_of[0] == std::this_thread::get_id());
  CHECK(thread_of[1] != thread_of[0]);
  CHECK(thread_of[2] != thread_of[0]);
  CHECK(thread_of[2] != thread_of[1]);
}
