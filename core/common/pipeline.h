#pragma once
// Three stages on three threads, so that the work before and after the middle one overlaps it: what `test` (decode,
// net, write) and `video` (decode, mask, encode) run. The stages are joined by BoundedQueues, so none runs ahead of
// the next by more than `slack` items.
#include <cstddef>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "core/common/bounded_queue.h"

namespace pseg {

// `produce(emit)` runs on a thread of its own and calls emit(A) for each item, in order, stopping when emit returns
// false; `transform(A) -> B` runs on the calling thread; `consume(B)` runs on a third thread, in order. The first
// exception from any stage stops all three and is rethrown here once they have ended.
template <typename A, typename B, typename Produce, typename Transform, typename Consume>
void run_three_stages(size_t slack, Produce&& produce, Transform&& transform, Consume&& consume) {
  BoundedQueue<A> first(slack);
  BoundedQueue<B> second(slack);
  std::exception_ptr error;
  std::mutex error_mutex;
  const auto fail = [&] {
    {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
    }
    first.close();
    second.close();
  };
  std::thread producer([&] {
    try {
      produce([&](A item) { return first.push(std::move(item)); });
    } catch (...) {
      fail();
    }
    first.close();
  });
  std::thread consumer([&] {
    try {
      while (std::optional<B> item = second.pop()) consume(std::move(*item));
    } catch (...) {
      fail();
    }
  });
  try {
    while (std::optional<A> item = first.pop())
      if (!second.push(transform(std::move(*item)))) break;
  } catch (...) {
    fail();
  }
  second.close();
  first.close();
  producer.join();
  consumer.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace pseg
