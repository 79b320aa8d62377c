#pragma once
// BatchLoader: turns a SampleSource into Batches on worker threads. Each epoch's order is a seeded shuffle
// of all indices, sharded by (rank, world_size); every sample's augmentation draws from
// sample_rng(seed, epoch, index), so batch content does not depend on the number of workers.
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "data/pipeline.h"
#include "data/sample.h"

namespace pseg {

struct LoaderOptions {
  int64_t batch_size = 8;
  int workers = 2;       // 0 = decode and augment on the calling thread
  int prefetch = 4;      // batches prepared ahead of the consumer (at least 1)
  bool shuffle = true;
  bool drop_last = true; // drop the incomplete last batch (per rank)
  uint64_t seed = 0;
  int rank = 0;
  int world_size = 1;
};

// The indices one rank visits in `epoch`, in order. Shuffled with seed and epoch when `shuffle`.
// Every rank gets the same count: with drop_last the order is cut to a multiple of world_size, otherwise it
// wraps around to the next multiple. The shard of rank r is positions r, r + world, r + 2·world, ...
std::vector<size_t> epoch_indices(size_t n, const LoaderOptions& o, uint64_t epoch);

class BatchLoader {
 public:
  // Throws std::invalid_argument for bad options (batch_size < 1, rank outside [0, world_size), ...).
  BatchLoader(std::shared_ptr<const SampleSource> source, std::shared_ptr<const ExamplePipeline> pipeline,
              LoaderOptions options);
  ~BatchLoader();  // stops and joins the workers, also mid-epoch
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // Starts (or restarts) an epoch at batch `skip_batches` (resuming mid-epoch); previous work is abandoned.
  void start_epoch(uint64_t epoch, size_t skip_batches = 0);
  // The next batch of the current epoch, or nullopt at its end. A failure while loading or augmenting
  // a sample is rethrown here as std::runtime_error naming the sample.
  std::optional<Batch> next();

  size_t batches_per_epoch() const;
  size_t samples_per_epoch() const;  // samples this rank sees per epoch (after drop_last)
  const LoaderOptions& options() const { return options_; }

 private:
  std::vector<size_t> batch_indices(size_t batch) const;  // call with mutex_ held
  Batch build(uint64_t epoch, const std::vector<size_t>& indices) const;
  void worker_loop();
  void stop_workers();

  std::shared_ptr<const SampleSource> source_;
  std::shared_ptr<const ExamplePipeline> pipeline_;
  LoaderOptions options_;

  std::mutex mutex_;
  std::condition_variable work_cv_, ready_cv_;
  std::vector<std::thread> threads_;
  bool stopping_ = false;
  uint64_t generation_ = 0;  // bumps per epoch so late results of an abandoned epoch are discarded
  uint64_t epoch_ = 0;
  std::vector<size_t> indices_;
  size_t batches_ = 0;
  size_t next_to_claim_ = 0;
  size_t next_to_return_ = 0;
  bool started_ = false;
  struct Result {
    std::optional<Batch> batch;
    std::exception_ptr error;
  };
  std::map<size_t, Result> ready_;
};

}  // namespace pseg
