#pragma once
// core/distributed: data-parallel training over c10d and the launcher of its workers.
// Data-parallel training over c10d process groups (Gloo on CPU, NCCL on CUDA builds): one process per device,
// rendezvous through a TCPStore hosted by rank 0, gradients averaged by bucketed all-reduce every step.
// Workers are configured like PyTorch's launcher (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), so
// `portraitseg train --nproc-per-node N` (core/distributed/launcher.h), torchrun-style scripts and cluster schedulers
// start them alike. With one process every call is a local no-op. See docs/distributed.md.
#include <torch/nn/module.h>
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "core/config/train_config.h"
#include "core/eval/validation_result.h"

namespace pseg {

struct DistributedEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  bool active() const { return world_size > 1; }
};

// Reads the torchrun variables. Without WORLD_SIZE (or with 1) the process trains alone. Throws ConfigError for
// malformed or inconsistent values, naming the variable.
DistributedEnv distributed_env_from_environment();

// The device a worker trains on: "cuda" becomes "cuda:LOCAL_RANK" so each local worker owns one GPU.
std::string worker_device(const std::string& device, const DistributedEnv& env);

// Per-step decisions every rank must take together.
struct StepSignals {
  bool stop = false;         // a stop signal (SIGINT/SIGTERM) reached some rank
  bool out_of_time = false;  // train.time_limit_minutes reached (rank 0's clock decides)
};

class Distributed {
 public:
  // Joins the process group (blocks until all world_size ranks have arrived, at most timeout_s). Throws
  // ConfigError for an unusable backend choice, RuntimeError when the rendezvous fails or times out.
  Distributed(const DistributedEnv& env, const DistributedConfig& config, bool sync_bn, const torch::Device& device);
  ~Distributed();
  Distributed(const Distributed&) = delete;
  Distributed& operator=(const Distributed&) = delete;

  int rank() const { return env_.rank; }
  int world_size() const { return env_.world_size; }
  bool is_main() const { return env_.rank == 0; }
  bool active() const { return env_.active(); }
  std::string backend() const;

  // Rank 0's parameters and buffers to every rank (after construction or checkpoint load).
  void broadcast_from_main(torch::nn::Module& module);
  // With sync_bn: makes every BatchNorm of `module` normalise with the statistics of the global batch (one
  // all-reduce per BatchNorm in the forward pass and one in the backward pass; nets/sync_batch_norm.h).
  void synchronise_batch_norm(torch::nn::Module& module);
  // Averages the gradients of `module` (buckets, averaged after the reduction completes), averages `values`
  // (e.g. the loss terms) and ORs the signals, in one pass.
  // Call after backward and before optimizer.step(). `step` names the step in error messages.
  StepSignals synchronize_step(torch::nn::Module& module, std::vector<double>& values, StepSignals local,
                               int64_t step);
  // Averages the floating-point buffers (BatchNorm running statistics) so every rank evaluates and saves the
  // same net; a no-op with sync_bn, where every rank computes them from the same global statistics.
  void average_buffers(torch::nn::Module& module);
  // Checks that every rank holds rank 0's parameters and buffers bit for bit (call after average_buffers);
  // throws RuntimeError naming the ranks that differ.
  void verify_replicas(torch::nn::Module& module);
  // Gathers every rank's per-image results (test shards interleaved as the loader dealt them, the padding that
  // evens out the shards dropped) and recomputes loss and metrics over the whole test set, identically on every
  // rank. `test_images` is the size of the test set.
  ValidationResult reduce_validation(const ValidationResult& local, int64_t test_images);
  // Waits until every rank arrives (end of training).
  void barrier(const std::string& what);

  // Seconds spent in synchronize_step's collectives since the last call.
  double take_sync_seconds();
  // Seconds spent in the sync_bn collectives since the last call.
  double take_batch_norm_sync_seconds();

 private:
  struct Group;
  DistributedEnv env_;
  DistributedConfig config_;
  bool sync_bn_ = false;
  std::shared_ptr<Group> group_;  // shared with the nets' BatchNorm reducers, which may outlive this object
  double sync_seconds_ = 0;
};

}  // namespace pseg
