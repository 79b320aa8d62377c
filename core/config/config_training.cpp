#include "core/config/config_training.h"

#include <torch/types.h>

#include <filesystem>

#include "core/config/config.h"
#include "core/torch_runtime/device.h"
#include "core/optim/optim_registry.h"
#include "losses/loss_registry.h"
#include "core/optim/schedule.h"
#include "core/optim/schedule_registry.h"

namespace pseg {
namespace {

void require(bool ok, const JsonReader& r, const std::string& key, const std::string& message) {
  if (!ok) r.fail(key, message);
}

}  // namespace

LossConfig parse_loss_config(const JsonReader& r) {
  r.allow_only({"recipe", "terms", "focal_gamma", "kl_temperature", "kl_weight", "boundary_weight", "boundary",
                "consistency", "soft_targets"});
  LossConfig c;
  c.recipe = r.get_choice("recipe", {"bce", "ce", "portraitnet", "custom"}, c.recipe);
  if (r.has("terms")) {
    for (const auto& t : r.array_of_objects("terms")) {
      t.allow_only({"kind", "weight"});
      LossTerm term;
      term.kind = t.get_choice("kind", loss_term_registry().names());
      term.weight = t.get_number("weight", term.weight);
      require(term.weight >= 0, t, "weight", "must be >= 0");
      c.terms.push_back(term);
    }
  }
  c.focal_gamma = r.get_number("focal_gamma", c.focal_gamma);
  c.kl_temperature = r.get_number("kl_temperature", c.kl_temperature);
  c.kl_weight = r.get_number("kl_weight", c.kl_weight);
  c.boundary_weight = r.get_number("boundary_weight", c.boundary_weight);
  c.boundary = r.get_bool("boundary", c.boundary);
  c.consistency = r.get_bool("consistency", c.consistency);
  c.soft_targets = r.get_bool("soft_targets", c.soft_targets);
  as_config_error([&] { validate_loss_config(c); });
  return c;
}

// The common keys, then the named optimiser's own (its registry entry). A key of another optimiser says so.
OptimConfig parse_optim_config(const JsonReader& r) {
  OptimConfig c;
  c.name = r.get_choice("name", optimizer_registry().names(), c.name);
  const OptimizerEntry& entry = *optimizer_registry().find(c.name);
  for (const auto& other : optimizer_registry().entries())
    for (const auto& key : other.keys)
      if (!entry.keys.count(key)) require(!r.has(key), r, key, "applies to optim.name \"" + other.name + "\" only");
  std::set<std::string> allowed = {"name", "lr", "weight_decay"};
  allowed.insert(entry.keys.begin(), entry.keys.end());
  r.allow_only(allowed);
  c.lr = r.get_number("lr", c.lr);
  require(c.lr > 0, r, "lr", "must be > 0");
  c.weight_decay = r.get_number("weight_decay", c.weight_decay);
  require(c.weight_decay >= 0, r, "weight_decay", "must be >= 0");
  entry.parse(r, c);
  return c;
}

ScheduleConfig parse_schedule_config(const JsonReader& r) {
  ScheduleConfig c;
  c.kind = r.get_choice("kind", schedule_registry().names(), c.kind);
  std::set<std::string> allowed = {"kind", "warmup_epochs", "warmup_start_factor"};
  const ScheduleEntry& entry = *schedule_registry().find(c.kind);
  allowed.insert(entry.keys.begin(), entry.keys.end());
  r.allow_only(allowed);
  entry.parse(r, c);
  c.warmup_epochs = r.get_int("warmup_epochs", c.warmup_epochs);
  c.warmup_start_factor = r.get_number("warmup_start_factor", c.warmup_start_factor);
  return c;  // ranges are checked by LrSchedule in parse_training_sections, which also knows optim.lr
}

TrainConfig parse_train_config(const JsonReader& r, const std::string& source) {
  r.allow_only({"epochs", "batch_size", "device", "threads", "seed", "run_dir", "checkpoint_interval",
                "val_interval", "best_metric", "early_stop", "workers", "prefetch", "init_from",
                "log_interval_steps", "max_steps_per_epoch", "time_limit_minutes", "distributed", "sync_bn",
                "quantization_aware", "qat_observer_epochs", "channels_last"});
  TrainConfig c;
  auto positive = [&](const char* key, int64_t fallback) {
    const int64_t v = r.get_int(key, fallback);
    require(v >= 1, r, key, "must be >= 1, got " + std::to_string(v));
    return v;
  };
  auto non_negative = [&](const char* key, int64_t fallback) {
    const int64_t v = r.get_int(key, fallback);
    require(v >= 0, r, key, "must be >= 0, got " + std::to_string(v));
    return v;
  };
  c.epochs = positive("epochs", c.epochs);
  c.batch_size = positive("batch_size", c.batch_size);
  c.device = r.get_string("device", c.device);
  (void)parse_device(c.device, r.child_path("device"));
  c.threads = non_negative("threads", c.threads);
  c.seed = non_negative("seed", c.seed);
  const std::string stem = source.empty() ? "run" : std::filesystem::path(source).stem().string();
  c.run_dir = r.get_string("run_dir", "runs/" + stem);
  require(!c.run_dir.empty(), r, "run_dir", "must not be empty");
  c.checkpoint_interval = positive("checkpoint_interval", c.checkpoint_interval);
  c.val_interval = positive("val_interval", c.val_interval);
  c.best_metric = r.get_choice("best_metric", {"miou_per_image", "miou_confusion", "val_loss"}, c.best_metric);
  if (r.has("early_stop")) {
    const auto es = r.object("early_stop");
    es.allow_only({"patience"});
    c.early_stop.patience = es.get_int("patience", c.early_stop.patience);
    require(c.early_stop.patience >= 0, es, "patience", "must be >= 0 (0 = off)");
  }
  c.workers = non_negative("workers", c.workers);
  c.prefetch = positive("prefetch", c.prefetch);
  c.init_from = r.get_string("init_from", c.init_from);
  c.log_interval_steps = positive("log_interval_steps", c.log_interval_steps);
  c.max_steps_per_epoch = non_negative("max_steps_per_epoch", c.max_steps_per_epoch);
  c.time_limit_minutes = r.get_number("time_limit_minutes", c.time_limit_minutes);
  require(c.time_limit_minutes >= 0, r, "time_limit_minutes", "must be >= 0 (0 = no limit)");
  if (r.has("distributed")) {
    const auto d = r.object("distributed");
    d.allow_only({"backend", "timeout_s", "bucket_mb"});
    c.distributed.backend = d.get_choice("backend", {"auto", "gloo", "nccl"}, c.distributed.backend);
    c.distributed.timeout_s = d.get_number("timeout_s", c.distributed.timeout_s);
    require(c.distributed.timeout_s > 0, d, "timeout_s", "must be > 0 seconds");
    c.distributed.bucket_mb = d.get_number("bucket_mb", c.distributed.bucket_mb);
    require(c.distributed.bucket_mb > 0, d, "bucket_mb", "must be > 0");
  }
  c.sync_bn = r.get_bool("sync_bn", c.sync_bn);
  c.quantization_aware = r.get_bool("quantization_aware", c.quantization_aware);
  c.qat_observer_epochs = non_negative("qat_observer_epochs", c.qat_observer_epochs);
  c.channels_last = r.get_bool("channels_last", c.channels_last);
  require(!c.quantization_aware || !c.init_from.empty(), r, "quantization_aware",
          "needs train.init_from: quantisation-aware training fine-tunes a trained float checkpoint");
  return c;
}

void parse_training_sections(const JsonReader& root, Config& config) {
  const nlohmann::json empty = nlohmann::json::object();
  auto section = [&](const char* key) { return root.has(key) ? root.object(key) : JsonReader(empty, key); };
  config.loss = parse_loss_config(section("loss"));
  config.optim = parse_optim_config(section("optim"));
  config.schedule = parse_schedule_config(section("schedule"));
  config.train = parse_train_config(section("train"), config.source);
  as_config_error([&] { (void)LrSchedule(config.schedule, config.optim.lr, config.train.epochs); });
}

}  // namespace pseg
