// The training hooks one by one, driven through a real TrainContext (tiny dataset, Prisma-Net at 64x64) with
// validation results chosen by the test: which epoch best.ckpt holds for each metric (NaN never counts), early
// stopping and its count across a resume, validation and checkpoint cadence, the LR column of metrics.csv, and
// end to end the time limit.
#include <torch/torch.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/distributed/distributed.h"
#include "core/model_io/checkpoint.h"
#include "core/optim/optim.h"
#include "core/train/hooks.h"
#include "core/train/train_job.h"
#include "nets/registry.h"
#include "tests/core/trainer_test_util.h"
#include "tests/test_support.h"

using namespace pseg;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A run's pieces without the loop: the hooks under test are called by hand.
struct Rig {
  test::ScratchDir dir{"train_hooks"};
  Config config;
  SegNet net;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::unique_ptr<TrainingData> data;
  std::unique_ptr<Distributed> strategy;
  TrainingState state;
  TrainResult result;
  std::unique_ptr<TrainContext> ctx;

  explicit Rig(const json& train = json::object()) {
    test::write_tiny_dataset(dir / "data");
    json j = test::tiny_train_config({{"net", "prisma_net"}, {"input_size", {64, 64}}}, dir / "data", dir / "run");
    j["train"].update(train);
    config = parse_config(j, (dir / "cfg.json").string());
    net = create_net(config.model);
    optimizer = make_optimizer(config.optim, net->parameters());
    data = std::make_unique<TrainingData>(config, net->input_spec(), 0, 1);
    strategy = std::make_unique<Distributed>(DistributedEnv{}, config.train.distributed, false, torch::kCPU);
    fs::create_directories(dir / "run");
    ctx.reset(new TrainContext{config, *net, *optimizer, *data, *strategy, torch::kCPU, state, result,
                               (dir / "run").string(), config.train.epochs, 1});
  }

  // One epoch's validation as the hooks see it, with the given metrics.
  void validate(std::vector<std::unique_ptr<TrainHook>>& hooks, int64_t epoch, double miou_per_image,
                double miou_confusion, double val_loss) {
    ctx->epoch = epoch;
    ctx->improved = false;
    ctx->last_epoch = epoch + 1 == ctx->epochs;
    ValidationResult v;
    v.metrics.miou_per_image = miou_per_image;
    v.metrics.miou_confusion = miou_confusion;
    v.loss = val_loss;
    for (auto& h : hooks) h->after_validation(*ctx, v);
    for (auto& h : hooks) h->after_epoch(*ctx);
  }
};

std::vector<std::unique_ptr<TrainHook>> best_and_checkpoints(const std::string& metric, int64_t patience = 0,
                                                             int64_t checkpoint_interval = 1) {
  std::vector<std::unique_ptr<TrainHook>> hooks;
  hooks.push_back(std::make_unique<BestMetricHook>(metric));
  hooks.push_back(std::make_unique<EarlyStopHook>(patience));
  hooks.push_back(std::make_unique<CheckpointHook>(checkpoint_interval));
  return hooks;
}

std::vector<double> csv_column(const fs::path& path, const std::string& name) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::stringstream hs(line);
  for (std::string c; std::getline(hs, c, ',');) header.push_back(c);
  const auto col = static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  std::vector<double> out;
  while (std::getline(in, line)) {
    std::stringstream ls(line);
    std::string cell;
    for (size_t i = 0; i <= col; ++i) std::getline(ls, cell, ',');
    out.push_back(cell.empty() ? std::nan("") : std::stod(cell));
  }
  return out;
}

}  // namespace

TEST_CASE("hooks: best.ckpt holds the best epoch of each metric, and a NaN metric never counts", "[core][hooks]") {
  // Per epoch: miou_per_image peaks at epoch 3, miou_confusion at epoch 2, val_loss is lowest at epoch 4;
  // epoch 5 is NaN throughout.
  const std::vector<std::array<double, 3>> epochs = {
      {0.50, 0.60, 0.40}, {0.70, 0.90, 0.30}, {0.80, 0.85, 0.35}, {0.75, 0.80, 0.10}, {NAN, NAN, NAN}};
  for (const auto& [metric, best_epoch] : {std::pair{"miou_per_image", 3}, std::pair{"miou_confusion", 2},
                                           std::pair{"val_loss", 4}}) {
    CAPTURE(metric);
    Rig rig;
    auto hooks = best_and_checkpoints(metric);
    for (auto& h : hooks) h->before_run(*rig.ctx);
    for (size_t e = 0; e < epochs.size(); ++e) rig.validate(hooks, e, epochs[e][0], epochs[e][1], epochs[e][2]);
    const LoadedCheckpoint best = load_checkpoint((rig.dir / "run" / "best.ckpt").string());
    CHECK(best.state.epoch == best_epoch);
    CHECK(best.state.best_metric_name == metric);
    const size_t col = std::string(metric) == "miou_per_image" ? 0 : std::string(metric) == "miou_confusion" ? 1 : 2;
    CHECK(best.state.best_metric == epochs[best_epoch - 1][col]);
    CHECK(rig.state.best_metric == epochs[best_epoch - 1][col]);  // the NaN epoch left it alone
  }
}

TEST_CASE("hooks: resuming with another best_metric starts the best afresh", "[core][hooks]") {
  Rig rig;
  rig.state.best_metric_name = "miou_per_image";
  rig.state.best_metric = 0.9;  // an IoU: as a val_loss it would beat every real loss
  auto hooks = best_and_checkpoints("val_loss");
  for (auto& h : hooks) h->before_run(*rig.ctx);
  CHECK(std::isnan(rig.state.best_metric));
  rig.validate(hooks, 0, 0.5, 0.5, 2.5);
  CHECK(rig.ctx->improved);
  CHECK(rig.state.best_metric == 2.5);
  CHECK(load_checkpoint((rig.dir / "run" / "best.ckpt").string()).state.best_metric_name == "val_loss");
}

TEST_CASE("hooks: early stopping counts validations without improvement, also across a resume", "[core][hooks]") {
  Rig rig;
  auto hooks = best_and_checkpoints("miou_per_image", /*patience=*/3);
  for (auto& h : hooks) h->before_run(*rig.ctx);
  rig.validate(hooks, 0, 0.5, 0, 0);  // best
  rig.validate(hooks, 1, 0.4, 0, 0);  // wait 1
  CHECK_FALSE(rig.ctx->stop_after_epoch);
  CHECK(rig.state.early_stop_wait == 1);
  // The resumed run reads the count from last.ckpt.
  const LoadedCheckpoint last = load_checkpoint((rig.dir / "run" / "last.ckpt").string());
  CHECK(last.state.early_stop_wait == 1);
  Rig resumed(json{{"epochs", 50}});
  resumed.state = last.state;
  auto hooks2 = best_and_checkpoints("miou_per_image", 3, /*checkpoint_interval=*/100);
  for (auto& h : hooks2) h->before_run(*resumed.ctx);
  resumed.validate(hooks2, 2, 0.45, 0, 0);  // wait 2
  CHECK_FALSE(resumed.ctx->stop_after_epoch);
  CHECK_FALSE(fs::exists(resumed.dir / "run" / "last.ckpt"));  // not a checkpoint epoch
  resumed.validate(hooks2, 3, 0.5, 0, 0);   // equal is no improvement: wait 3 = patience
  CHECK(resumed.ctx->stop_after_epoch);
  CHECK(resumed.result.early_stopped);
  CHECK(fs::exists(resumed.dir / "run" / "last.ckpt"));  // written on the early stop
}

TEST_CASE("hooks: validation and checkpoint cadence", "[core][hooks]") {
  Rig rig(json{{"epochs", 7}});
  ValidationCadenceHook every3(3);
  std::vector<int64_t> validated;
  for (int64_t e = 0; e < 7; ++e) {
    rig.ctx->epoch = e;
    rig.ctx->last_epoch = e == 6;
    if (every3.wants_validation(*rig.ctx)) validated.push_back(e + 1);
  }
  CHECK(validated == std::vector<int64_t>{3, 6, 7});  // every 3rd epoch and the last

  CheckpointHook every2(2);
  std::vector<int64_t> saved;
  for (int64_t e = 0; e < 7; ++e) {
    rig.ctx->epoch = e;
    rig.ctx->last_epoch = e == 6;
    rig.ctx->stop_after_epoch = e == 2;  // e.g. an early stop after epoch 3
    fs::remove(rig.dir / "run" / "last.ckpt");
    every2.after_epoch(*rig.ctx);
    if (fs::exists(rig.dir / "run" / "last.ckpt")) saved.push_back(e + 1);
  }
  CHECK(saved == std::vector<int64_t>{2, 3, 4, 6, 7});
}

TEST_CASE("hooks: metrics.csv records each epoch's learning rate from the schedule", "[core][hooks]") {
  Rig rig(json{{"epochs", 4}});
  ScheduleConfig step;
  step.kind = "step";
  step.every_epochs = 1;
  step.gamma = 0.5;
  LrSchedule schedule(step, 1e-3, 4);
  RunDir run((rig.dir / "run").string(), false, 0);
  ScheduleHook sched(schedule);
  MetricsLogHook log(&run);
  for (int64_t e = 0; e < 4; ++e) {
    rig.ctx->epoch = e;
    sched.before_epoch(*rig.ctx);
    log.before_epoch(*rig.ctx);
    log.after_epoch(*rig.ctx);
    CHECK(learning_rate(*rig.optimizer) == Approx(1e-3 * std::pow(0.5, e)));
  }
  const std::vector<double> lr = csv_column(rig.dir / "run" / "metrics.csv", "lr");
  REQUIRE(lr.size() == 4);
  for (size_t e = 0; e < 4; ++e) CHECK(lr[e] == Approx(1e-3 * std::pow(0.5, static_cast<double>(e))));
}

TEST_CASE("hooks: the time limit stops the run after the epoch under way, validated and saved", "[core][hooks]") {
  test::ScratchDir dir("time_limit");
  test::write_tiny_dataset(dir / "data");
  json j = test::tiny_train_config({{"net", "prisma_net"}, {"input_size", {64, 64}}}, dir / "data", dir / "run");
  j["train"]["epochs"] = 50;
  j["train"]["time_limit_minutes"] = 1e-6;  // reached at the first step
  j["train"]["val_interval"] = 10;
  TrainRequest req;
  req.config = parse_config(j, (dir / "cfg.json").string());
  const TrainResult r = run_training(req);
  CHECK(r.epochs_completed == 1);
  CHECK(r.steps == 1);  // stopped after the step that found the limit passed
  CHECK(r.validated);   // the last epoch is validated although val_interval is 10
  CHECK(load_checkpoint((dir / "run" / "last.ckpt").string()).state.epoch == 1);
  CHECK(csv_column(dir / "run" / "metrics.csv", "epoch").size() == 1);
}

TEST_CASE("hooks: channels_last turns every convolution weight channels-last in place, values and tensors kept",
          "[core][hooks]") {
  for (const bool on : {true, false}) {
    INFO("train.channels_last " << on);
    Rig rig(json{{"channels_last", on}});
    std::vector<torch::Tensor> before, same;
    for (const auto& p : rig.net->parameters()) {
      before.push_back(p.clone());
      same.push_back(p);  // shares the TensorImpl the optimiser holds
    }
    ChannelsLastHook().before_run(*rig.ctx);
    const auto params = rig.net->parameters();
    int64_t channels_last = 0, four_d = 0;
    for (size_t i = 0; i < params.size(); ++i) {
      CHECK(params[i].unsafeGetTensorImpl() == same[i].unsafeGetTensorImpl());
      CHECK(torch::equal(params[i], before[i]));
      if (params[i].dim() != 4) continue;
      ++four_d;
      channels_last += params[i].is_contiguous(torch::MemoryFormat::ChannelsLast) ? 1 : 0;
      if (!on) CHECK(params[i].is_contiguous());
    }
    REQUIRE(four_d > 10);
    if (on) CHECK(channels_last == four_d);
  }
}
