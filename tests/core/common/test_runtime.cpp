// Thread counts: 0 means the cores the process may run on (its CPU affinity), not every core of the machine.
#include <sched.h>

#include <catch2/catch.hpp>

#include "core/common/errors.h"
#include "core/common/runtime.h"

using namespace pseg;

TEST_CASE("thread count 0 follows the CPU affinity, not the machine's core count", "[core][runtime]") {
  cpu_set_t original;
  REQUIRE(sched_getaffinity(0, sizeof(original), &original) == 0);
  CHECK(usable_cores() == CPU_COUNT(&original));
  CHECK(intra_op_thread_count(0) == CPU_COUNT(&original));

  // Pinned to one of its cores (as `taskset -c N` would), the process gets one thread per operation.
  int first = 0;
  while (!CPU_ISSET(first, &original)) ++first;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  REQUIRE(sched_setaffinity(0, sizeof(one), &one) == 0);
  const int pinned = intra_op_thread_count(0);
  REQUIRE(sched_setaffinity(0, sizeof(original), &original) == 0);
  CHECK(pinned == 1);
}

TEST_CASE("an explicit thread count is kept, a negative one is a config error", "[core][runtime]") {
  CHECK(intra_op_thread_count(3) == 3);
  CHECK_THROWS_AS(intra_op_thread_count(-1), ConfigError);
}
