#include "core/serve/worker_pool.h"

#include <stdexcept>

namespace pseg {

WorkerPool::WorkerPool(std::vector<std::unique_ptr<Predictor>> predictors, size_t capacity)
    : predictors_(std::move(predictors)), capacity_(capacity) {
  if (predictors_.empty()) throw std::invalid_argument("a worker pool needs at least one model");
  for (auto& predictor : predictors_) threads_.emplace_back([this, p = predictor.get()] { work(*p); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

bool WorkerPool::submit(Task task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || tasks_.size() >= capacity_) return false;
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

size_t WorkerPool::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return tasks_.size();
}

size_t WorkerPool::busy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return busy_;
}

double WorkerPool::busy_seconds() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::chrono::duration<double>(busy_time_).count();
}

void WorkerPool::work(Predictor& predictor) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stopping, and nothing left to finish
    Task task = std::move(tasks_.front());
    tasks_.pop_front();
    ++busy_;
    lock.unlock();
    const auto t0 = std::chrono::steady_clock::now();
    task(predictor);  // tasks report their own failures; see serve_routes.cpp
    const auto spent = std::chrono::steady_clock::now() - t0;
    lock.lock();
    --busy_;
    busy_time_ += spent;
  }
}

}  // namespace pseg
