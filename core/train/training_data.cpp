#include "core/train/training_data.h"

#include "core/datasets/data_pipeline.h"
#include "core/datasets/dataset_report.h"
#include "core/common/errors.h"

namespace pseg {

TrainingData::TrainingData(const Config& config, const InputSpec& spec, int rank, int world_size)
    : dataset_(open_dataset(config.data)) {
  const TrainConfig& tc = config.train;
  log_dataset_report(dataset_.report);
  if (dataset_.train->size() == 0) throw ConfigError("data.train: no training pairs");
  if (dataset_.test->size() == 0)
    throw ConfigError("data.test: no test pairs (give test sources or data.split.test_fraction)");
  const InputFormat format = input_format_for(spec);

  LoaderOptions train_opts;
  train_opts.batch_size = tc.batch_size;
  train_opts.workers = tc.workers;
  train_opts.prefetch = tc.prefetch;
  train_opts.shuffle = true;
  train_opts.drop_last = true;
  train_opts.seed = tc.seed;
  train_opts.rank = rank;
  train_opts.world_size = world_size;
  train_ = std::make_unique<BatchLoader>(
      dataset_.train, std::make_shared<ExamplePipeline>(config.augment, format, PipelineMode::Train), train_opts);

  // Evaluation sees every test image once per rank shard, in order, without augmentation.
  LoaderOptions test_opts = train_opts;
  test_opts.batch_size = 1;
  test_opts.shuffle = false;
  test_opts.drop_last = false;
  test_ = std::make_unique<BatchLoader>(
      dataset_.test, std::make_shared<ExamplePipeline>(config.augment, format, PipelineMode::Eval), test_opts);
}

int64_t TrainingData::train_batches() const { return static_cast<int64_t>(train_->batches_per_epoch()); }
int64_t TrainingData::train_images() const { return static_cast<int64_t>(dataset_.train->size()); }
int64_t TrainingData::test_images() const { return static_cast<int64_t>(dataset_.test->size()); }

void TrainingData::start_train_epoch(int64_t epoch, int64_t skip_batches) {
  train_->start_epoch(static_cast<uint64_t>(epoch), static_cast<size_t>(skip_batches));
}

std::optional<Batch> TrainingData::next_train_batch() { return train_->next(); }

void TrainingData::start_test() { test_->start_epoch(0); }

std::optional<Batch> TrainingData::next_test_batch() { return test_->next(); }

}  // namespace pseg
