#include "core/trainer.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <optional>

#include "core/checkpoint.h"
#include "core/distributed.h"
#include "core/errors.h"
#include "core/interrupt.h"
#include "core/optim.h"
#include "core/progress.h"
#include "core/run_dir.h"
#include "core/runtime.h"
#include "core/schedule.h"
#include "core/train_step.h"
#include "core/training_data.h"
#include "core/validation.h"
#include "losses/composite_loss.h"
#include "nets/registry.h"
#include "nets/segnet.h"

namespace fs = std::filesystem;

namespace pseg {
namespace {

using Clock = std::chrono::steady_clock;

bool higher_is_better(const std::string& metric) { return metric != "val_loss"; }

double metric_value(const std::string& name, const ValidationResult& v) {
  if (name == "val_loss") return v.loss;
  if (name == "miou_confusion") return v.metrics.miou_confusion;
  return v.metrics.miou_per_image;
}

bool improves(const std::string& metric, double value, double best) {
  if (std::isnan(best)) return true;
  return higher_is_better(metric) ? value > best : value < best;
}

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

// The run directory of a resumed checkpoint is the directory it lives in.
std::string run_dir_for(const TrainRequest& req, const std::string& resume_ckpt) {
  if (!resume_ckpt.empty()) return fs::path(resume_ckpt).parent_path().string();
  return req.config.train.run_dir;
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
  const std::string resume_ckpt = req.resume.empty() ? std::string() : resume_checkpoint_path(req.resume);

  if (req.threads_override == 0 && tc.threads > 0) at::set_num_threads(static_cast<int>(tc.threads));
  torch::manual_seed(static_cast<uint64_t>(tc.seed));
  SegNet net;
  TrainingState state;
  std::unique_ptr<LoadedCheckpoint> resumed;
  if (!resume_ckpt.empty()) {
    resumed = std::make_unique<LoadedCheckpoint>(load_checkpoint(resume_ckpt, device.str()));
    net = resumed->net;
    state = resumed->state;
  } else {
    net = create_net(config.model);
    if (!tc.init_from.empty()) {
      const LoadedCheckpoint init = load_checkpoint(tc.init_from, device.str());
      if (init.config.model.net != config.model.net)
        throw ConfigError("train.init_from: " + tc.init_from + " holds a " + init.config.model.net +
                          ", the config builds a " + config.model.net);
      torch::NoGradGuard ng;
      auto src = init.net->named_parameters();
      for (auto& p : net->named_parameters()) {
        const auto* s = src.find(p.key());
        if (!s || s->sizes() != p.value().sizes())
          throw ConfigError("train.init_from: " + tc.init_from + ": parameter " + p.key() + " missing or of another shape");
        p.value().copy_(*s);
      }
      auto src_buf = init.net->named_buffers();
      for (auto& b : net->named_buffers())
        if (const auto* s = src_buf.find(b.key()); s && s->sizes() == b.value().sizes()) b.value().copy_(*s);
      spdlog::info("initialised weights from {}", tc.init_from);
    }
    net->to(device);
  }

  TrainingData data = open_training_data(config, net->input_spec(), env.rank, env.world_size);
  // Everything that can be known before training is checked here, so a dry run catches it too.
  const int64_t steps_per_epoch = tc.max_steps_per_epoch > 0
                                      ? std::min<int64_t>(tc.max_steps_per_epoch, data.train_batches())
                                      : data.train_batches();
  if (steps_per_epoch == 0)
    throw ConfigError("train.batch_size: " + std::to_string(tc.batch_size) + " is larger than the training set (" +
                      std::to_string(data.train_images()) + " images) with drop_last");
  const CompositeLoss loss(config.loss);
  loss.check_compatible(net->input_spec().logit_channels, net->has_boundary_head());
  if (loss.needs_plain_view() && !config.augment.texture_view)
    throw ConfigError("loss.consistency: needs the texture-augmented view (set augment.texture_view to true)");
  if (req.dry_run) {
    TrainResult r;
    r.run_dir = run_dir_for(req, resume_ckpt);
    spdlog::info("dry run: config valid; {} training batches of {} per epoch, {} test images", data.train_batches(),
                 tc.batch_size, data.test_images());
    return r;
  }

  Distributed dist(env, tc.distributed, tc.sync_bn, device);
  dist.broadcast_from_main(*net);
  dist.synchronise_batch_norm(*net);
  const int64_t global_batch = tc.batch_size * env.world_size;
  auto optimizer = make_optimizer(config.optim, net->parameters());
  LrSchedule schedule(config.schedule, config.optim.lr, tc.epochs);
  if (resumed) {
    restore_optimizer(*resumed, *optimizer);
    schedule.load_state(state.scheduler);
    restore_rng(*resumed);
  }

  // Only rank 0 writes the run directory (logs, metrics, curves, checkpoints).
  std::optional<RunDir> run;
  if (dist.is_main()) run.emplace(run_dir_for(req, resume_ckpt), /*resume=*/resumed != nullptr, state.epoch);
  const std::string run_path = run ? run->path() : run_dir_for(req, resume_ckpt);
  auto run_file = [&](const std::string& name) { return (fs::path(run_path) / name).string(); };
  if (run) run->write_config(config.resolved);
  spdlog::info("run directory {}", run_path);
  spdlog::info("net {}: {} parameters; device {}; {} threads", net->describe(), net->parameter_count(), device.str(),
               at::get_num_threads());
  if (dist.active())
    spdlog::info("train: {} steps per epoch, batch {} per process x {} processes = global batch {} ({} backend); "
                 "test: {} images",
                 data.train_batches(), tc.batch_size, env.world_size, global_batch, dist.backend(), data.test_images());
  else
    spdlog::info("train: {} batches of {} per epoch; test: {} images", data.train_batches(), tc.batch_size,
                 data.test_images());

  install_interrupt_handlers();
  const std::string best_name = tc.best_metric;
  if (state.best_metric_name.empty()) state.best_metric_name = best_name;
  ProgressReporter progress(tc.epochs, steps_per_epoch, tc.log_interval_steps);
  const auto run_start = Clock::now();
  int64_t early_stop_wait = state.extra.value("early_stop_wait", int64_t{0});
  int64_t step_in_epoch = state.extra.value("step_in_epoch", int64_t{0});
  // Resumed mid-epoch with another global batch (world size or batch size): every world size deals the epoch's
  // order as consecutive global batches, so continue after the samples already seen (repeating fewer than one
  // global batch when they do not divide).
  const int64_t saved_global_batch = state.extra.value("global_batch", global_batch);
  if (step_in_epoch > 0 && saved_global_batch != global_batch) {
    const int64_t seen = step_in_epoch * saved_global_batch;
    step_in_epoch = seen / global_batch;
    spdlog::warn("resuming with global batch {} (was {}): continuing the epoch after sample {} of its order",
                 global_batch, saved_global_batch, step_in_epoch * global_batch);
  }

  TrainResult result;
  result.run_dir = run_path;
  result.rank = env.rank;
  result.world_size = env.world_size;
  result.global_batch = global_batch;
  result.best_metric_name = best_name;

  auto save = [&](const std::string& name, int64_t epoch_done, int64_t step_in) {
    state.epoch = epoch_done;
    state.scheduler = schedule.state();
    state.extra["early_stop_wait"] = early_stop_wait;
    state.extra["step_in_epoch"] = step_in;
    state.extra["global_batch"] = global_batch;
    dist.average_buffers(*net);
    if (!dist.is_main()) return;
    save_checkpoint(run_file(name), config, *net, state, optimizer.get());
  };

  bool out_of_time = false;
  net->train();
  for (int64_t epoch = state.epoch; epoch < tc.epochs && !out_of_time; ++epoch) {
    const double lr = schedule.lr_for_epoch(epoch);
    set_learning_rate(*optimizer, lr);
    progress.start_epoch(epoch);
    const auto epoch_start = Clock::now();
    data.start_train_epoch(epoch, step_in_epoch);
    double loss_sum = 0;
    std::vector<std::pair<std::string, double>> term_sums;
    int64_t counted = 0;
    for (int64_t k = step_in_epoch; k < steps_per_epoch; ++k) {
      std::optional<Batch> batch = data.next_train_batch();
      if (!batch) break;
      const StepLoss out = forward_backward(*net, loss, *optimizer, *batch, device);
      // Loss terms are logged as their mean over ranks; stop and time-limit decisions are taken by all together.
      std::vector<double> values{out.loss.total.item<double>()};
      for (const auto& term : out.loss.terms) values.push_back(term.second);
      StepSignals signals;
      signals.stop = stop_requested();
      const double elapsed_s = std::chrono::duration<double>(Clock::now() - run_start).count();
      signals.out_of_time = tc.time_limit_minutes > 0 && elapsed_s > tc.time_limit_minutes * 60.0;
      signals = dist.synchronize_step(*net, values, signals, state.step + 1);
      optimizer->step();
      const double value = values[0];
      ++state.step;
      if (!std::isfinite(value)) {
        progress.finish_epoch();
        throw RuntimeError("non-finite loss (" + std::to_string(value) + ") at epoch " + std::to_string(epoch + 1) +
                           " step " + std::to_string(k + 1) + " (global step " + std::to_string(state.step) +
                           "); stopped; the last good checkpoint in " + run_path + " is kept");
      }
      loss_sum += value;
      if (term_sums.empty())
        for (size_t i = 0; i < out.loss.terms.size(); ++i) term_sums.emplace_back(out.loss.terms[i].first, 0.0);
      for (size_t i = 0; i < term_sums.size() && i + 1 < values.size(); ++i) term_sums[i].second += values[i + 1];
      ++counted;
      progress.step(k, value, lr, out.samples * env.world_size);
      if (signals.stop) {
        progress.finish_epoch();
        save("last.ckpt", epoch, k + 1);
        result.interrupted = true;
        result.steps = state.step;
        result.epochs_completed = epoch;
        spdlog::warn("stopped by signal {} at epoch {} step {}; wrote {}", stop_signal(), epoch + 1, k + 1,
                     run_file("last.ckpt"));
        return result;
      }
      if (signals.out_of_time) {
        spdlog::warn("train.time_limit_minutes ({}) reached: validating and stopping after this epoch",
                     tc.time_limit_minutes);
        out_of_time = true;
        break;
      }
    }
    const double train_seconds = std::chrono::duration<double>(Clock::now() - epoch_start).count();
    const double sync_seconds = dist.take_sync_seconds();
    const double bn_sync_seconds = dist.take_batch_norm_sync_seconds();
    if (dist.active() && counted > 0) {
      result.samples_per_second = static_cast<double>(counted * global_batch) / train_seconds;
      result.sync_ms_per_step = 1000.0 * sync_seconds / static_cast<double>(counted);
      result.batch_norm_sync_ms_per_step = 1000.0 * bn_sync_seconds / static_cast<double>(counted);
      result.step_ms = 1000.0 * train_seconds / static_cast<double>(counted);
    }
    step_in_epoch = 0;
    progress.finish_epoch();
    if (dist.active() && counted > 0)
      spdlog::info("epoch {}: {:.1f} samples/s on {} processes (global batch {}); step {:.1f} ms, gradient "
                   "all-reduce {:.2f} ms per step ({:.1f}%)",
                   epoch + 1, result.samples_per_second, env.world_size, global_batch, result.step_ms,
                   result.sync_ms_per_step, 100.0 * result.sync_ms_per_step / result.step_ms);
    if (tc.sync_bn && dist.active() && counted > 0)
      spdlog::info("epoch {}: sync_bn all-reduces {:.2f} ms per step ({:.1f}%)", epoch + 1,
                   result.batch_norm_sync_ms_per_step, 100.0 * result.batch_norm_sync_ms_per_step / result.step_ms);

    MetricsRow row;
    row.epoch = epoch + 1;
    row.step = state.step;
    row.lr = lr;
    row.train_losses.emplace_back("loss", counted ? loss_sum / static_cast<double>(counted) : std::nan(""));
    for (const auto& [name, sum] : term_sums) row.train_losses.emplace_back(name, sum / static_cast<double>(counted));
    row.val_miou_per_image = row.val_miou_confusion = row.val_loss = std::nan("");

    const bool last_epoch = epoch + 1 == tc.epochs || out_of_time;
    bool stop_early = false;
    if ((epoch + 1) % tc.val_interval == 0 || last_epoch) {
      dist.average_buffers(*net);
      dist.verify_replicas(*net);
      const ValidationResult v =
          dist.reduce_validation(validate(*net, data, config.loss, device), data.test_images());
      net->train();
      row.val_miou_per_image = v.metrics.miou_per_image;
      row.val_miou_confusion = v.metrics.miou_confusion;
      row.val_loss = v.loss;
      result.last_metrics = v.metrics;
      result.validated = true;
      schedule.on_validation(v.loss);
      const double value = metric_value(best_name, v);
      spdlog::info("epoch {}/{}: loss {:.4f} val_loss {:.4f} mIOU per-image {:.4f} confusion {:.4f}", epoch + 1,
                   tc.epochs, row.train_losses.front().second, v.loss, v.metrics.miou_per_image,
                   v.metrics.miou_confusion);
      if (improves(best_name, value, state.best_metric)) {
        state.best_metric = value;
        early_stop_wait = 0;
        save("best.ckpt", epoch + 1, 0);
        spdlog::info("new best {} {:.4f}: wrote {}", best_name, value, run_file("best.ckpt"));
      } else if (tc.early_stop.patience > 0 && ++early_stop_wait >= tc.early_stop.patience) {
        stop_early = true;
      }
    }
    row.seconds = std::chrono::duration<double>(Clock::now() - epoch_start).count();
    if (run) run->record(row);
    if ((epoch + 1) % tc.checkpoint_interval == 0 || last_epoch || stop_early) save("last.ckpt", epoch + 1, 0);
    result.epochs_completed = epoch + 1;
    if (stop_early) {
      spdlog::info("early stop: no {} improvement in {} validations", best_name, tc.early_stop.patience);
      result.early_stopped = true;
      break;
    }
  }
  result.steps = state.step;
  result.best_metric = state.best_metric;
  dist.barrier("the end-of-training barrier");
  return result;
}

}  // namespace pseg
