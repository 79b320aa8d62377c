#include "core/train_bench.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "core/errors.h"
#include "core/optim.h"
#include "core/runtime.h"
#include "core/train_step.h"
#include "core/training_data.h"
#include "losses/composite_loss.h"
#include "nets/registry.h"
#include "nets/segnet.h"

namespace fs = std::filesystem;

namespace pseg {
namespace {

using Clock = std::chrono::steady_clock;

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

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const auto k = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, k == 0 ? 0 : k - 1)];
}

}  // namespace

TrainBenchResult bench_training(Config config, const TrainBenchOptions& o) {
  if (o.batch < 1 || o.steps < 1 || o.warmup < 0 || o.threads < 1)
    throw std::invalid_argument("bench --train: batch, steps and threads must be >= 1, warm-up >= 0");
  if (o.data_dir.empty()) require_datasets(config);
  else config.data = synth_data(o.data_dir);
  if (o.height > 0) {
    config.model.height = o.height;
    config.model.width = o.width;
  }
  config.train.batch_size = o.batch;
  at::set_num_threads(o.threads);
  torch::manual_seed(static_cast<uint64_t>(config.train.seed));
  const torch::Device device(checked_device(o.device));

  SegNet net = create_net(config.model);
  net->to(device);
  net->train();
  const CompositeLoss loss(config.loss);
  loss.check_compatible(net->input_spec().logit_channels, net->has_boundary_head());
  if (loss.needs_plain_view() && !config.augment.texture_view)
    throw ConfigError("loss.consistency: needs the texture-augmented view (set augment.texture_view to true)");
  TrainingData data(config, net->input_spec(), /*rank=*/0, /*world=*/1);
  if (data.train_batches() == 0)
    throw ConfigError("bench --train: batch " + std::to_string(o.batch) + " is larger than the training set (" +
                      std::to_string(data.train_images()) + " images)");
  auto optimizer = make_optimizer(config.optim, net->parameters());

  int64_t epoch = 0;
  data.start_train_epoch(epoch, 0);
  std::vector<double> step_ms, wait_ms;
  for (int i = 0; i < o.warmup + o.steps; ++i) {
    const auto t0 = Clock::now();
    std::optional<Batch> batch = data.next_train_batch();
    if (!batch) {  // small data: keep going over further epochs
      data.start_train_epoch(++epoch, 0);
      batch = data.next_train_batch();
    }
    const auto t1 = Clock::now();
    const StepLoss step = forward_backward(*net, loss, *optimizer, *batch, device);
    optimizer->step();
    (void)step.loss.total.item<double>();  // waits for the device (CUDA) before the clock stops
    const auto t2 = Clock::now();
    if (i < o.warmup) continue;
    step_ms.push_back(ms(t2 - t0));
    wait_ms.push_back(ms(t1 - t0));
  }

  TrainBenchResult r;
  r.net = config.model.net;
  r.config = config.source;
  r.height = net->input_spec().height;
  r.width = net->input_spec().width;
  r.batch = o.batch;
  r.threads = o.threads;
  r.steps = o.steps;
  r.median_step_ms = percentile(step_ms, 0.5);
  r.p90_step_ms = percentile(step_ms, 0.9);
  r.median_data_wait_ms = percentile(wait_ms, 0.5);
  r.images_per_s = static_cast<double>(o.batch) * 1000.0 / r.median_step_ms;
  return r;
}

}  // namespace pseg
