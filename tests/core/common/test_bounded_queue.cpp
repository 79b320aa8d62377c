// BoundedQueue, the link between pipeline stages: order kept across threads, a full queue holds its producer until
// the consumer takes an item or the queue closes, and a closed queue drains before it reports the end.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "core/common/bounded_queue.h"

using pseg::BoundedQueue;

TEST_CASE("bounded queue: a producer and a consumer thread see the same order", "[common][queue]") {
  BoundedQueue<int> q(2);
  std::thread producer([&] {
    for (int i = 0; i < 1000; ++i) REQUIRE(q.push(i));
    q.close();
  });
  std::vector<int> got;
  while (std::optional<int> v = q.pop()) got.push_back(*v);
  producer.join();
  REQUIRE(got.size() == 1000);
  for (int i = 0; i < 1000; ++i) CHECK(got[i] == i);
}

TEST_CASE("bounded queue: closing drains what is queued, then ends", "[common][queue]") {
  BoundedQueue<int> q(3);
  CHECK(q.push(1));
  CHECK(q.push(2));
  q.close();
  CHECK_FALSE(q.push(3));
  CHECK(q.pop() == std::optional<int>(1));
  CHECK(q.pop() == std::optional<int>(2));
  CHECK_FALSE(q.pop().has_value());
}

TEST_CASE("bounded queue: a push into a full queue waits until it is closed", "[common][queue]") {
  BoundedQueue<int> q(1);
  REQUIRE(q.push(1));
  std::atomic<int> result{-1};
  std::thread producer([&] { result = q.push(2) ? 1 : 0; });
  // The queue is full: the push can only end by the close below, and then it reports the item dropped.
  q.close();
  producer.join();
  CHECK(result == 0);
  CHECK(q.pop() == std::optional<int>(1));
  CHECK_FALSE(q.pop().has_value());
}
