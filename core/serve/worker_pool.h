#pragma once
// The inference workers of `portraitseg serve` behind one bounded queue: each worker owns its copy of the model,
// so requests never share a net; a full queue refuses new work at once (the server answers 503) instead of
// letting requests pile up.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/infer/predictor.h"

namespace pseg {

class WorkerPool {
 public:
  using Task = std::function<void(Predictor&)>;

  // One worker thread per predictor; at most `capacity` tasks wait for a free worker.
  WorkerPool(std::vector<std::unique_ptr<Predictor>> predictors, size_t capacity);
  // Finishes every queued task, then joins the workers.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; false (and the task dropped) when `capacity` tasks are already waiting.
  bool submit(Task task);

  size_t capacity() const { return capacity_; }
  size_t workers() const { return threads_.size(); }
  size_t queued() const;
  size_t busy() const;
  // Seconds the workers have spent running tasks, all workers together.
  double busy_seconds() const;
  // The first worker's model (all are copies of one file).
  const Predictor& model() const { return *predictors_.front(); }

 private:
  void work(Predictor& predictor);

  std::vector<std::unique_ptr<Predictor>> predictors_;
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Task> tasks_;
  size_t busy_ = 0;
  std::chrono::steady_clock::duration busy_time_{};
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace pseg
