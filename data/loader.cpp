#include "data/loader.h"

#include <opencv2/core/utility.hpp>

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace pseg {

std::vector<size_t> epoch_indices(size_t n, const LoaderOptions& o, uint64_t epoch) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  if (o.shuffle) {
    Rng rng(splitmix64(splitmix64(o.seed) ^ (epoch + 0x5bd1e995ull)));
    for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  }
  const size_t world = static_cast<size_t>(o.world_size);
  if (n == 0) return {};
  size_t total = o.drop_last ? n / world * world : (n + world - 1) / world * world;
  for (size_t i = n; i < total; ++i) order.push_back(order[i % n]);
  order.resize(total);
  std::vector<size_t> shard;
  for (size_t i = static_cast<size_t>(o.rank); i < total; i += world) shard.push_back(order[i]);
  return shard;
}

BatchLoader::BatchLoader(std::shared_ptr<const SampleSource> source, std::shared_ptr<const ExamplePipeline> pipeline,
                         LoaderOptions options)
    : source_(std::move(source)), pipeline_(std::move(pipeline)), options_(options) {
  if (!source_ || !pipeline_) throw std::invalid_argument("BatchLoader: source and pipeline are required");
  if (options_.batch_size < 1) throw std::invalid_argument("loader: batch_size must be at least 1");
  if (options_.workers < 0) throw std::invalid_argument("loader: workers must be >= 0");
  if (options_.prefetch < 1) throw std::invalid_argument("loader: prefetch must be at least 1");
  if (options_.world_size < 1 || options_.rank < 0 || options_.rank >= options_.world_size)
    throw std::invalid_argument("loader: rank " + std::to_string(options_.rank) + " outside world_size " +
                                std::to_string(options_.world_size));
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { worker_loop(); });
}

BatchLoader::~BatchLoader() { stop_workers(); }

void BatchLoader::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  ready_cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

size_t BatchLoader::samples_per_epoch() const {
  const size_t per_rank = epoch_indices(source_->size(), options_, 0).size();
  return options_.drop_last ? per_rank / options_.batch_size * options_.batch_size : per_rank;
}

size_t BatchLoader::batches_per_epoch() const {
  const size_t per_rank = epoch_indices(source_->size(), options_, 0).size();
  const size_t b = static_cast<size_t>(options_.batch_size);
  return options_.drop_last ? per_rank / b : (per_rank + b - 1) / b;
}

void BatchLoader::start_epoch(uint64_t epoch, size_t skip_batches) {
  std::vector<size_t> indices = epoch_indices(source_->size(), options_, epoch);
  const size_t b = static_cast<size_t>(options_.batch_size);
  std::lock_guard<std::mutex> lock(mutex_);
  ++generation_;
  epoch_ = epoch;
  indices_ = std::move(indices);
  batches_ = options_.drop_last ? indices_.size() / b : (indices_.size() + b - 1) / b;
  next_to_claim_ = next_to_return_ = std::min(skip_batches, batches_);
  ready_.clear();
  started_ = true;
  work_cv_.notify_all();
}

std::vector<size_t> BatchLoader::batch_indices(size_t batch) const {
  const size_t b = static_cast<size_t>(options_.batch_size);
  const size_t begin = batch * b, end = std::min(indices_.size(), begin + b);
  return {indices_.begin() + static_cast<std::ptrdiff_t>(begin), indices_.begin() + static_cast<std::ptrdiff_t>(end)};
}

Batch BatchLoader::build(uint64_t epoch, const std::vector<size_t>& indices) const {
  std::vector<Example> examples;
  examples.reserve(indices.size());
  for (const size_t i : indices) {
    try {
      Rng rng = sample_rng(options_.seed, epoch, i);
      examples.push_back(pipeline_->make(source_->load(i), rng));
    } catch (const std::exception& e) {
      throw std::runtime_error("sample " + std::to_string(i) + " (" + source_->id(i) + "): " + e.what());
    }
  }
  return collate(examples, pipeline_->format());
}

std::optional<Batch> BatchLoader::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!started_) throw std::logic_error("BatchLoader::next called before start_epoch");
  if (next_to_return_ >= batches_) return std::nullopt;
  const size_t want = next_to_return_;
  if (threads_.empty()) {
    const std::vector<size_t> indices = batch_indices(want);
    const uint64_t epoch = epoch_;
    ++next_to_claim_;
    ++next_to_return_;
    lock.unlock();
    return build(epoch, indices);
  }
  ready_cv_.wait(lock, [&] { return stopping_ || ready_.count(want); });
  if (stopping_) return std::nullopt;
  Result r = std::move(ready_[want]);
  ready_.erase(want);
  ++next_to_return_;
  work_cv_.notify_all();
  if (r.error) std::rethrow_exception(r.error);
  return std::move(r.batch);
}

void BatchLoader::worker_loop() {
  {
    // Workers decode and augment one sample each, single-threaded. OpenCV's thread count is process-wide and
    // cv::setNumThreads is not thread-safe: with the TBB backend it tears down and rebuilds the one shared arena, and
    // two workers starting together crashed in it (AddressSanitizer, tests/data/test_loader.cpp). One lock, and no
    // rebuild once the count is 1.
    static std::mutex opencv_threads;
    std::lock_guard<std::mutex> guard(opencv_threads);
    if (cv::getNumThreads() != 1) cv::setNumThreads(1);
  }
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_cv_.wait(lock, [&] {
      return stopping_ || (started_ && next_to_claim_ < batches_ &&
                           next_to_claim_ < next_to_return_ + static_cast<size_t>(options_.prefetch));
    });
    if (stopping_) return;
    const size_t batch = next_to_claim_++;
    const uint64_t generation = generation_, epoch = epoch_;
    const std::vector<size_t> indices = batch_indices(batch);
    lock.unlock();
    Result r;
    try {
      r.batch = build(epoch, indices);
    } catch (...) {
      r.error = std::current_exception();
    }
    lock.lock();
    if (generation != generation_) continue;
    ready_[batch] = std::move(r);
    ready_cv_.notify_all();
  }
}

}  // namespace pseg
