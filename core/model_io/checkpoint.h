#pragma once
// core/model_io: model files: checkpoints, exported-model metadata, the shape-checked weight copy.
// Self-contained training checkpoints (.ckpt): the resolved config (which rebuilds the net through the
// registry), every parameter and buffer, the optimiser state, the training state and the CPU RNG state.
// Files are written atomically: a crash at any moment leaves either the old file or the new one.
#include <torch/optim/optimizer.h>
#include <torch/serialize/input-archive.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/config/config.h"
#include "core/optim/schedule_config.h"
#include "nets/segnet.h"

namespace pseg {

// Format version written by this build; files with a higher version are refused.
constexpr int kCheckpointVersion = 1;

// Everything a resumed run needs to continue exactly where the saved one stopped.
struct TrainingState {
  int64_t epoch = 0;          // epochs completed
  int64_t step = 0;           // optimisation steps taken, all epochs
  int64_t step_in_epoch = 0;  // steps of epoch `epoch` already taken (interrupted mid-epoch), else 0
  int64_t global_batch = 0;   // batch size x processes of the saved run (0 = unknown)
  double best_metric = std::numeric_limits<double>::quiet_NaN();  // NaN = none yet
  std::string best_metric_name;
  int64_t early_stop_wait = 0;  // validations since the best metric last improved
  ScheduleState scheduler;
};

struct LoadedCheckpoint {
  Config config;
  nlohmann::json config_json;
  SegNet net;
  TrainingState state;
  std::shared_ptr<torch::serialize::InputArchive> archive;  // optimiser and RNG state, read on request
  int version = 0;
  std::string producer;  // "portraitseg <version> (LibTorch <version>)" that wrote it; "" in files that predate it
  std::string path;
};

// Throws std::invalid_argument when the config has no resolved JSON or names another net than `net`,
// std::runtime_error (naming the file) when it cannot be written.
void save_checkpoint(const std::string& path, const Config& config, SegNetImpl& net, const TrainingState& state,
                     const torch::optim::Optimizer* optimizer);

// Rebuilds the net from the stored config and loads its weights and buffers onto `device`. Throws
// std::runtime_error naming the file when it is missing, not a checkpoint, truncated, of a newer format,
// or names a net or options this build does not know.
LoadedCheckpoint load_checkpoint(const std::string& path, const std::string& device = "cpu");

// Loads the stored optimiser state (Adam moments, step counts); false when the checkpoint has none.
// The optimiser must be the one the checkpoint's state was saved from (`name`: its optim.name), over the
// parameters of ckpt.net (or a net of the same layout); throws ConfigError naming both kinds otherwise.
bool restore_optimizer(const LoadedCheckpoint& ckpt, torch::optim::Optimizer& optimizer, const std::string& name);

// Sets the default CPU generator to the state it had when the checkpoint was written.
void restore_rng(const LoadedCheckpoint& ckpt);

nlohmann::json training_state_to_json(const TrainingState& state);
TrainingState training_state_from_json(const nlohmann::json& j);

}  // namespace pseg
