#include "core/train/train_job.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "core/common/errors.h"
#include "core/torch_runtime/device.h"
#include "core/distributed/distributed.h"
#include "core/model_io/checkpoint.h"
#include "core/model_io/weight_copy.h"
#include "core/optim/optim.h"
#include "core/optim/schedule.h"
#include "core/train/hooks.h"
#include "core/train/qat_net.h"
#include "core/train/run_dir.h"
#include "core/train/train_loop.h"
#include "core/train/train_step.h"
#include "core/train/training_data.h"
#include "losses/composite_loss.h"
#include "nets/registry.h"

namespace fs = std::filesystem;

namespace pseg {
namespace {

// Resolves --resume: a run directory means its last.ckpt.
std::string resume_checkpoint_path(const std::string& resume) {
  if (fs::is_directory(resume)) {
    const auto p = fs::path(resume) / "last.ckpt";
    if (!fs::exists(p)) throw ConfigError("--resume " + resume + ": no last.ckpt in that run directory");
    return p.string();
  }
  if (!fs::exists(resume)) throw ConfigError("--resume " + resume + ": no such file or directory");
  return resume;
}

// Where the run starts: a fresh net (optionally initialised from train.init_from) or a resumed checkpoint.
struct RunStart {
  SegNet net;
  TrainingState state;
  std::optional<LoadedCheckpoint> resumed;
  std::string run_dir;  // a resumed checkpoint's run directory is the one it lives in
};

RunStart start_run(const TrainRequest& req, const torch::Device& device) {
  const Config& config = req.config;
  RunStart s;
  if (!req.resume.empty()) {
    if (config.train.quantization_aware)
      throw ConfigError("--resume: quantisation-aware runs keep no checkpoint to resume; start again from init_from");
    const std::string ckpt = resume_checkpoint_path(req.resume);
    s.resumed = load_checkpoint(ckpt, device.str());
    s.net = s.resumed->net;
    s.state = s.resumed->state;
    s.run_dir = fs::path(ckpt).parent_path().string();
    return s;
  }
  s.net = create_net(config.model);
  s.run_dir = config.train.run_dir;
  const std::string& init = config.train.init_from;
  if (!init.empty()) {
    const LoadedCheckpoint from = load_checkpoint(init, device.str());
    if (from.config.model.net != config.model.net)
      throw ConfigError("train.init_from: " + init + " holds a " + from.config.model.net + ", the config builds a " +
                        config.model.net);
    try {
      copy_net_state(*s.net, *from.net, "train.init_from: " + init);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(e.what());
    }
    spdlog::info("initialised weights from {}", init);
  }
  if (config.train.quantization_aware) {
    s.net = QatNet(*s.net).ptr();
    spdlog::info("qat: training {}'s deploy graph (BatchNorm folded) with fake int8 quantisation", config.model.net);
  }
  s.net->to(device);
  return s;
}

// Steps per epoch after train.max_steps_per_epoch; refuses a batch larger than the training set.
int64_t checked_steps_per_epoch(const TrainConfig& tc, const TrainingData& data) {
  const int64_t steps = tc.max_steps_per_epoch > 0 ? std::min<int64_t>(tc.max_steps_per_epoch, data.train_batches())
                                                   : data.train_batches();
  if (steps == 0)
    throw ConfigError("train.batch_size: " + std::to_string(tc.batch_size) + " is larger than the training set (" +
                      std::to_string(data.train_images()) + " images) with drop_last");
  return steps;
}

// Resumed mid-epoch with another global batch (world size or batch size): every world size deals the epoch's
// order as consecutive global batches, so continue after the samples already seen (repeating fewer than one
// global batch when they do not divide).
void continue_with_global_batch(TrainingState& state, int64_t global_batch) {
  if (state.step_in_epoch > 0 && state.global_batch > 0 && state.global_batch != global_batch) {
    state.step_in_epoch = state.step_in_epoch * state.global_batch / global_batch;
    spdlog::warn("resuming with global batch {} (was {}): continuing the epoch after sample {} of its order",
                 global_batch, state.global_batch, state.step_in_epoch * global_batch);
  }
  state.global_batch = global_batch;
}

void log_setup(const TrainContext& c, const Distributed& dist) {
  const TrainConfig& tc = c.config.train;
  spdlog::info("run directory {}", c.run_dir);
  spdlog::info("net {}: {} parameters; device {}; {} threads", c.net.describe(), c.net.parameter_count(),
               c.device.str(), at::get_num_threads());
  if (dist.active())
    spdlog::info("train: {} steps per epoch, batch {} per process x {} processes = global batch {} ({} backend); "
                 "test: {} images",
                 c.data.train_batches(), tc.batch_size, dist.world_size(), c.result.global_batch, dist.backend(),
                 c.data.test_images());
  else
    spdlog::info("train: {} batches of {} per epoch; test: {} images", c.data.train_batches(), tc.batch_size,
                 c.data.test_images());
}

}  // namespace

Config resume_config(const std::string& resume, const std::vector<std::string>& overrides) {
  const LoadedCheckpoint ckpt = load_checkpoint(resume_checkpoint_path(resume));
  nlohmann::json j = ckpt.config_json;
  for (const auto& o : overrides) apply_override(j, o);
  return parse_config(j, resume);
}

TrainResult run_training(const TrainRequest& req) {
  const Config& config = req.config;
  const TrainConfig& tc = config.train;
  // A data-parallel worker (RANK/WORLD_SIZE from the launcher); ranks above 0 log only warnings and errors.
  const DistributedEnv env = distributed_env_from_environment();
  if (env.rank > 0 && spdlog::get_level() < spdlog::level::warn) spdlog::set_level(spdlog::level::warn);
  const torch::Device device(
      checked_device(worker_device(req.device_override.empty() ? tc.device : req.device_override, env)));
  if (req.threads_override == 0 && tc.threads > 0) at::set_num_threads(static_cast<int>(tc.threads));
  torch::manual_seed(static_cast<uint64_t>(tc.seed));
  RunStart start = start_run(req, device);

  TrainingData data(config, start.net->input_spec(), env.rank, env.world_size);
  // Everything that can be known before training is checked here, so a dry run catches it too.
  const int64_t steps_per_epoch = checked_steps_per_epoch(tc, data);
  check_train_batch(*start.net, tc.sync_bn ? tc.batch_size * env.world_size : tc.batch_size,
                    tc.sync_bn ? "train.batch_size (over all processes with sync_bn)" : "train.batch_size");
  const CompositeLoss loss = checked_loss(config.loss, config.augment, *start.net);
  TrainResult result;
  result.run_dir = start.run_dir;
  if (req.dry_run) {
    spdlog::info("dry run: config valid; {} training batches of {} per epoch, {} test images", data.train_batches(),
                 tc.batch_size, data.test_images());
    return result;
  }

  Distributed dist(env, tc.distributed, tc.sync_bn, device);
  dist.broadcast_from_main(*start.net);
  dist.synchronise_batch_norm(*start.net);
  auto optimizer = make_optimizer(config.optim, start.net->parameters());
  LrSchedule schedule(config.schedule, config.optim.lr, tc.epochs);
  if (start.resumed) {
    restore_optimizer(*start.resumed, *optimizer, config.optim.name);
    if (!start.state.scheduler.kind.empty()) schedule.load_state(start.state.scheduler);
    restore_rng(*start.resumed);
  }
  result.rank = env.rank;
  result.world_size = env.world_size;
  result.global_batch = tc.batch_size * env.world_size;
  continue_with_global_batch(start.state, result.global_batch);

  // Only rank 0 writes the run directory (logs, metrics, curves, checkpoints).
  std::optional<RunDir> run;
  if (dist.is_main()) run.emplace(start.run_dir, start.resumed.has_value(), start.state.epoch);
  if (run) run->write_config(config.resolved);
  TrainContext ctx{config, *start.net, *optimizer, data, dist, device, start.state, result, start.run_dir,
                   tc.epochs, steps_per_epoch};
  log_setup(ctx, dist);
  TrainLoop loop(ctx, loss);
  for (auto& hook : standard_hooks(tc, schedule, run ? &*run : nullptr)) loop.add(std::move(hook));
  for (const auto& hook : req.extra_hooks) loop.add(hook);
  loop.run();
  if (!result.interrupted) dist.barrier("the end-of-training barrier");
  return result;
}

}  // namespace pseg
