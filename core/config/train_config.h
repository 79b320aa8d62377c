#pragma once
// The `train` section of a config: run length, batch, device, run directory, checkpoint and validation cadence.
#include <cstdint>
#include <string>

namespace pseg {

struct EarlyStopConfig {
  int64_t patience = 0;  // validations without a new best metric before stopping; 0 = off
};

// `train.distributed`: how data-parallel workers (see docs/distributed.md) talk to each other.
struct DistributedConfig {
  std::string backend = "auto";  // "auto" (NCCL on CUDA devices, else Gloo), "gloo" or "nccl"
  double timeout_s = 300;        // a collective or rendezvous waiting longer fails, naming the lagging rank
  double bucket_mb = 25;         // gradients are flattened into buckets of about this size, one all-reduce each
};

struct TrainConfig {
  int64_t epochs = 100;
  int64_t batch_size = 32;
  std::string device = "cpu";   // "cpu", "cuda", "cuda:1", ...
  int64_t threads = 0;          // intra-op CPU threads; 0 = all
  int64_t seed = 0;
  std::string run_dir;          // default "runs/<config file stem>"
  int64_t checkpoint_interval = 1;  // epochs between checkpoints
  int64_t val_interval = 1;         // epochs between validations
  std::string best_metric = "miou_per_image";  // "miou_per_image", "miou_confusion" or "val_loss"
  EarlyStopConfig early_stop;
  int64_t workers = 2;          // data loader threads
  int64_t prefetch = 4;         // batches prepared ahead
  std::string init_from;        // checkpoint whose weights start the run ("" = the net's initialisation)
  int64_t log_interval_steps = 50;
  int64_t max_steps_per_epoch = 0;  // 0 = the whole training set
  double time_limit_minutes = 0;    // 0 = no limit
  DistributedConfig distributed;
  bool sync_bn = false;  // data-parallel: BatchNorm normalises with the global batch's statistics (SyncBatchNorm)
  // Quantisation-aware fine-tuning (docs/training.md): the init_from net's deploy graph (BN folded) trained with
  // fake int8 quantisation; the run writes best.int8.onnx / last.int8.onnx with the learned weights and ranges.
  bool quantization_aware = false;
  int64_t qat_observer_epochs = 1;  // epochs the activation ranges are observed before they are frozen
  // Convolution weights, and so activations, channels-last (NHWC) while training: ATen's oneDNN kernels then run
  // without reordering each activation (docs/performance.md). Checkpoints store weights contiguous either way.
  bool channels_last = true;
};

// Whether a larger value of a train.best_metric is better: the IoU metrics are maximised, val_loss minimised.
inline bool metric_maximised(const std::string& metric) { return metric != "val_loss"; }

}  // namespace pseg
