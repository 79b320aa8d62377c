#pragma once
// Stages on threads of their own, so that the work before and after the middle one overlaps it: what `test` (decode,
// net, write) and `video` (decode, mask, encode) run. The stages are joined by BoundedQueues, so none runs ahead of
// the next by more than `slack` items (or one per middle worker, where there are more workers than that).
#include <algorithm>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "core/common/bounded_queue.h"

namespace pseg {

// `produce(emit)` runs on a thread of its own and calls emit(A) for each item, in order, stopping when emit returns
// false; `transform(worker, A) -> B` runs on `workers` threads (worker 0 is the calling thread), item i on worker
// i % workers; `consume(B)` runs on a thread of its own and sees the items in their order. Dealing the items out
// in turn keeps the order without a reordering buffer. The first exception from any stage stops them all and is
// rethrown here once they have ended.
template <typename A, typename B, typename Produce, typename Transform, typename Consume>
void run_stages(size_t slack, size_t workers, Produce&& produce, Transform&& transform, Consume&& consume) {
  if (workers < 1) workers = 1;
  std::vector<std::unique_ptr<BoundedQueue<A>>> inputs;
  std::vector<std::unique_ptr<BoundedQueue<B>>> outputs;
  const size_t per_worker = std::max<size_t>(1, slack / workers);  // `slack` in all, shared between the workers
  for (size_t w = 0; w < workers; ++w) {
    inputs.push_back(std::make_unique<BoundedQueue<A>>(per_worker));
    outputs.push_back(std::make_unique<BoundedQueue<B>>(per_worker));
  }
  std::exception_ptr error;
  std::mutex error_mutex;
  const auto close_all = [&] {
    for (auto& q : inputs) q->close();
    for (auto& q : outputs) q->close();
  };
  const auto fail = [&] {
    {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
    }
    close_all();
  };
  std::thread producer([&] {
    try {
      size_t next = 0;
      produce([&](A item) { return inputs[next++ % workers]->push(std::move(item)); });
    } catch (...) {
      fail();
    }
    for (auto& q : inputs) q->close();
  });
  std::thread consumer([&] {
    try {
      // Item i comes from worker i % workers; the first worker with nothing more marks the end of the sequence.
      for (size_t next = 0;; ++next) {
        std::optional<B> item = outputs[next % workers]->pop();
        if (!item) break;
        consume(std::move(*item));
      }
    } catch (...) {
      fail();
    }
    close_all();  // a consumer that stopped early must not leave a worker waiting to push
  });
  const auto work = [&](size_t w) {
    try {
      while (std::optional<A> item = inputs[w]->pop())
        if (!outputs[w]->push(transform(w, std::move(*item)))) break;
    } catch (...) {
      fail();
    }
    outputs[w]->close();
    inputs[w]->close();
  };
  std::vector<std::thread> others;
  for (size_t w = 1; w < workers; ++w) others.emplace_back(work, w);
  work(0);
  for (auto& t : others) t.join();
  producer.join();
  consumer.join();
  if (error) std::rethrow_exception(error);
}

// The three stages with one middle worker on the calling thread: `transform(A) -> B`.
template <typename A, typename B, typename Produce, typename Transform, typename Consume>
void run_three_stages(size_t slack, Produce&& produce, Transform&& transform, Consume&& consume) {
  run_stages<A, B>(slack, 1, std::forward<Produce>(produce),
                   [&transform](size_t, A item) { return transform(std::move(item)); }, std::forward<Consume>(consume));
}

}  // namespace pseg
