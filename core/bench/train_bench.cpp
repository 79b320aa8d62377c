#include "core/bench/train_bench.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <stdexcept>

#include "core/common/errors.h"
#include "core/optim/optim.h"
#include "core/torch_runtime/device.h"
#include "core/common/stats.h"
#include "core/distributed/distributed.h"
#include "core/train/hooks.h"
#include "core/train/train_loop.h"
#include "core/train/train_step.h"
#include "core/train/training_data.h"
#include "losses/composite_loss.h"
#include "nets/registry.h"
#include "nets/segnet.h"

namespace fs = std::filesystem;

namespace pseg {
namespace {

const char* kMakeData =
    "make a synthetic set with `portraitseg synth --out DIR --count 64` and pass --data DIR to bench --train";

std::vector<std::string> source_paths(const SourceConfig& s) {
  if (s.format == "folders") return {s.images, s.masks};
  return {s.root};
}

void require_datasets(const Config& config) {
  if (config.data.train.empty())
    throw std::invalid_argument("bench --train: " + config.source + " has no data.train section; " + kMakeData);
  for (const auto* list : {&config.data.train, &config.data.test})
    for (const auto& s : *list)
      for (const auto& p : source_paths(s))
        if (!p.empty() && !fs::exists(p))
          throw std::invalid_argument("bench --train: dataset " + p + " (from " + config.source +
                                      ") does not exist; " + kMakeData);
}

// The synth layout: DIR/train.txt and DIR/test.txt listing image/mask pairs with 0/1 masks.
DataConfig synth_data(const std::string& dir) {
  for (const char* list : {"train.txt", "test.txt"})
    if (!fs::exists(fs::path(dir) / list))
      throw std::invalid_argument("bench --train --data " + dir + ": no " + list + " there; " + kMakeData);
  DataConfig d;
  for (const char* list : {"train.txt", "test.txt"}) {
    SourceConfig s;
    s.format = "list";
    s.root = dir;
    s.list = list;
    s.mask_rule = "==1";
    (std::string(list) == "train.txt" ? d.train : d.test).push_back(s);
  }
  return d;
}

// Times every step after the warm-up and ends the run after warm-up + steps steps.
class StepTimingHook : public TrainHook {
 public:
  StepTimingHook(int warmup, int steps) : warmup_(warmup), total_(warmup + steps) {}
  void after_step(TrainContext& c, const StepReport& s) override {
    if (++seen_ > warmup_) {
      step_ms.push_back(s.step_ms);
      wait_ms.push_back(s.data_wait_ms);
    }
    c.finish_now = seen_ >= total_;
  }
  std::vector<double> step_ms, wait_ms;

 private:
  int warmup_, total_, seen_ = 0;
};

}  // namespace

TrainBenchResult bench_training(Config config, const TrainBenchOptions& o) {
  if (o.batch < 1 || o.steps < 1 || o.warmup < 0 || o.threads < 1)
    throw std::invalid_argument("bench --train: batch, steps and threads must be >= 1, warm-up >= 0");
  if (o.height > 0) {  // the size through the resolved config, as export and inference bench apply it
    nlohmann::json j = config.resolved;
    apply_override(j, input_size_override(o.height, o.width));
    config = parse_config(j, config.source);
  }
  if (o.data_dir.empty()) require_datasets(config);
  else config.data = synth_data(o.data_dir);
  config.train.batch_size = o.batch;
  at::set_num_threads(o.threads);
  torch::manual_seed(static_cast<uint64_t>(config.train.seed));
  const torch::Device device(checked_device(o.device));

  SegNet net = create_net(config.model);
  net->to(device);
  const CompositeLoss loss = checked_loss(config.loss, config.augment, *net);
  check_train_batch(*net, o.batch, "bench --train --batch");
  TrainingData data(config, net->input_spec(), /*rank=*/0, /*world=*/1);
  if (data.train_batches() == 0)
    throw ConfigError("bench --train: batch " + std::to_string(o.batch) + " is larger than the training set (" +
                      std::to_string(data.train_images()) + " images)");
  auto optimizer = make_optimizer(config.optim, net->parameters());

  // The training loop itself, one process, no hooks but the memory format and the timing: small data goes round
  // several epochs.
  Distributed local(DistributedEnv{}, config.train.distributed, false, device);
  TrainingState state;
  TrainResult run;
  TrainContext ctx{config, *net, *optimizer, data, local, device, state, run, "",
                   std::numeric_limits<int64_t>::max(), data.train_batches()};
  auto timing = std::make_unique<StepTimingHook>(o.warmup, o.steps);
  const StepTimingHook& times = *timing;
  TrainLoop loop(ctx, loss);
  loop.add(std::make_shared<ChannelsLastHook>()).add(std::move(timing)).run();

  TrainBenchResult r;
  r.net = config.model.net;
  r.config = config.source;
  r.height = net->input_spec().height;
  r.width = net->input_spec().width;
  r.batch = o.batch;
  r.threads = o.threads;
  r.steps = o.steps;
  r.median_step_ms = percentile(times.step_ms, 50);
  r.p90_step_ms = percentile(times.step_ms, 90);
  r.median_data_wait_ms = percentile(times.wait_ms, 50);
  r.images_per_s = static_cast<double>(o.batch) * 1000.0 / r.median_step_ms;
  return r;
}

}  // namespace pseg
