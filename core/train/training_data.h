#pragma once
// The training run's data: the configured datasets opened once, a shuffled/augmented loader for training
// and an evaluation loader (no augmentation, resize only) for validation.
#include <memory>
#include <optional>

#include "core/config/config.h"
#include "data/dataset.h"
#include "data/loader.h"
#include "nets/input_spec.h"

namespace pseg {

class TrainingData {
 public:
  TrainingData(const Config& config, const InputSpec& spec, int rank, int world_size);

  int64_t train_batches() const;
  int64_t train_images() const;
  int64_t test_images() const;
  const DatasetReport& report() const { return dataset_.report; }

  // Starts an epoch, skipping its first `skip_batches` batches (resuming mid-epoch).
  void start_train_epoch(int64_t epoch, int64_t skip_batches);
  std::optional<Batch> next_train_batch();

  void start_test();
  std::optional<Batch> next_test_batch();

 private:
  Dataset dataset_;
  std::unique_ptr<BatchLoader> train_;
  std::unique_ptr<BatchLoader> test_;
};

inline TrainingData open_training_data(const Config& config, const InputSpec& spec, int rank, int world_size) {
  return TrainingData(config, spec, rank, world_size);
}

}  // namespace pseg
