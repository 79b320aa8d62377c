// The trainer end to end on a tiny synthetic dataset: every net learns, checkpoints hold the trained net, a resumed
// run equals an uninterrupted one, a non-finite loss stops the run naming the step, the run directory is complete.
#include <torch/torch.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <optional>
#include <sstream>

#include "core/model_io/checkpoint.h"
#include "core/common/errors.h"
#include "core/common/interrupt.h"
#include "core/optim/optim.h"
#include "core/torch_runtime/memory_format.h"
#include "core/train/train_job.h"
#include "core/train/training_data.h"
#include "tests/core/trainer_test_util.h"
#include "losses/composite_loss.h"
#include "nets/registry.h"
#include "tests/test_support.h"

using namespace pseg;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct NetCase {
  std::string name;
  json model;
  json augment;
  json loss;
};

std::vector<NetCase> net_cases() {
  return {
      {"mobile_unet deconv", {{"net", "mobile_unet"}, {"decoder", "deconv"}, {"input_size", {64, 64}}},
       {{"recipe", "keras"}}, {{"recipe", "bce"}}},
      {"mobile_unet bilinear", {{"net", "mobile_unet"}, {"decoder", "bilinear"}, {"input_size", {64, 64}}},
       {{"recipe", "keras"}}, {{"recipe", "bce"}}},
      {"prisma_net", {{"net", "prisma_net"}, {"input_size", {64, 64}}}, {{"recipe", "keras"}}, {{"recipe", "bce"}}},
      {"portrait_net boundary + consistency",
       {{"net", "portrait_net"}, {"boundary_head", true}, {"input_size", {64, 64}}},
       {{"recipe", "portraitnet"}},
       {{"recipe", "portraitnet"}, {"boundary", true}, {"consistency", true}}},
      {"portrait_net 4-channel", {{"net", "portrait_net"}, {"in_channels", 4}, {"input_size", {64, 64}}},
       {{"recipe", "portraitnet"}}, {{"recipe", "ce"}}},
      {"slim_net", {{"net", "slim_net"}, {"input_size", {64, 64}}}, {{"recipe", "slim"}}, {{"recipe", "ce"}}},
      {"mobile_unet_v3", {{"net", "mobile_unet_v3"}, {"input_size", {64, 64}}}, {{"recipe", "none"}}, {{"recipe", "ce"}}},
      {"deeplab_v3 (8k + 1)", {{"net", "deeplab_v3"}, {"input_size", {65, 65}}}, {{"recipe", "none"}},
       {{"recipe", "ce"}}},
  };
}

Config make_config(const json& j, const test::ScratchDir& dir) { return parse_config(j, (dir / "cfg.json").string()); }

// One optimisation step exactly as the trainer takes it (texture view first, plain view for consistency).
double train_step(SegNetImpl& net, const CompositeLoss& loss, torch::optim::Optimizer& opt, const Batch& b) {
  LossInputs in;
  in.label = b.label;
  in.soft = b.soft;
  in.boundary = b.boundary;
  const NetOutput out = net.forward(b.input_texture.defined() ? b.input_texture : b.input);
  in.logits = out.mask_logits;
  in.boundary_logits = out.boundary_logits;
  if (loss.needs_plain_view()) in.logits_plain = net.forward(b.input).mask_logits;
  const LossResult r = loss(in);
  opt.zero_grad();
  r.total.backward();
  opt.step();
  return r.total.item<double>();
}

// Parameters and buffers equal bit for bit.
bool same_weights(SegNetImpl& a, SegNetImpl& b) {
  auto pb = b.named_parameters();
  for (const auto& p : a.named_parameters())
    if (!torch::equal(p.value(), pb[p.key()])) return false;
  auto bb = b.named_buffers();
  for (const auto& x : a.named_buffers())
    if (!torch::equal(x.value(), bb[x.key()])) return false;
  return true;
}

// The message of the RuntimeError run_training throws; fails the test when it throws nothing or something else.
std::string runtime_error_of(const TrainRequest& req) {
  try {
    run_training(req);
  } catch (const RuntimeError& e) {
    return e.what();
  }
  FAIL("run_training did not throw a RuntimeError");
  return {};
}

}  // namespace

TEST_CASE("trainer: every net learns, and run_training's checkpoint is the trained net", "[core][trainer]") {
  std::set<std::string> covered;
  for (const auto& c : net_cases()) covered.insert(c.model["net"].get<std::string>());
  const auto registered = net_registry().names();
  CHECK(covered == std::set<std::string>(registered.begin(), registered.end()));  // a new net gets a case here
  test::ScratchDir dir("trainer_nets");
  test::write_tiny_dataset(dir / "data");
  for (const auto& c : net_cases()) {
    SECTION(c.name) {
      json j = test::tiny_train_config(c.model, dir / "data", dir / "run");
      j["augment"] = c.augment;
      j["loss"] = c.loss;
      j["train"]["max_steps_per_epoch"] = 2;
      const Config config = make_config(j, dir);

      TrainRequest req;
      req.config = config;
      const TrainResult result = run_training(req);
      CHECK(result.epochs_completed == 1);
      CHECK(result.steps == 2);
      CHECK(result.validated);
      CHECK_FALSE(result.interrupted);

      // The same two steps outside the trainer (threads 1, same seed, same batches, channels-last weights as
      // train.channels_last asks) give the same net, so the loaded last.ckpt must hold its weights bit for bit.
      torch::manual_seed(static_cast<uint64_t>(config.train.seed));
      SegNet net = create_net(config.model);
      REQUIRE(config.train.channels_last);
      set_weight_memory_format(*net, torch::MemoryFormat::ChannelsLast);
      TrainingData data = open_training_data(config, net->input_spec(), 0, 1);
      const CompositeLoss loss(config.loss);
      auto opt = make_optimizer(config.optim, net->parameters());
      net->train();
      data.start_train_epoch(0, 0);
      std::optional<Batch> batch;
      for (int k = 0; k < 2; ++k) {
        batch = data.next_train_batch();
        REQUIRE(batch);
        REQUIRE(std::isfinite(train_step(*net, loss, *opt, *batch)));
      }

      const LoadedCheckpoint last = load_checkpoint((dir / "run" / "last.ckpt").string());
      CHECK(last.config.model.net == config.model.net);
      CHECK(last.state.epoch == 1);
      CHECK(last.state.step == 2);
      CHECK(same_weights(*last.net, *net));
      CHECK_NOTHROW(load_checkpoint((dir / "run" / "best.ckpt").string()));

      // On one fixed batch the loss falls.
      net->train();
      std::vector<double> losses;
      for (int k = 0; k < 12; ++k) losses.push_back(train_step(*net, loss, *opt, *batch));
      INFO("first loss " << losses.front() << ", last " << losses.back());
      CHECK(losses.back() < losses.front());
    }
  }
}

TEST_CASE("trainer: a resumed run ends with the same weights as an uninterrupted one", "[core][trainer]") {
  test::ScratchDir dir("trainer_resume");
  test::write_tiny_dataset(dir / "data");
  // Mobile-Unet: batch norm buffers, dropout (the CPU RNG state must be restored) and Adam moments. Compared bit
  // for bit: CPU with 1 thread is deterministic (2 threads also matched when tried; 1 keeps the check safe where
  // a thread count could change the order of reductions).
  auto config_for = [&](const std::string& run, int64_t epochs) {
    json j = test::tiny_train_config({{"net", "mobile_unet"}, {"input_size", {64, 64}}}, dir / "data", dir / run);
    j["augment"] = {{"recipe", "keras"}};
    j["train"]["epochs"] = epochs;
    j["train"]["max_steps_per_epoch"] = 2;
    return make_config(j, dir);
  };
  TrainRequest a;
  a.config = config_for("a", 4);
  REQUIRE(run_training(a).epochs_completed == 4);
  const LoadedCheckpoint ref = load_checkpoint((dir / "a" / "last.ckpt").string());

  SECTION("resumed at an epoch boundary") {
    TrainRequest b;
    b.config = config_for("b", 2);
    REQUIRE(run_training(b).epochs_completed == 2);
    CHECK_FALSE(same_weights(*ref.net, *load_checkpoint((dir / "b" / "last.ckpt").string()).net));
    TrainRequest resume;
    resume.resume = (dir / "b").string();
    resume.config = resume_config(resume.resume, {"train.epochs=4"});
    const TrainResult r = run_training(resume);
    CHECK(r.epochs_completed == 4);
    CHECK(r.steps == 8);
    const LoadedCheckpoint got = load_checkpoint((dir / "b" / "last.ckpt").string());
    CHECK(got.state.epoch == 4);
    CHECK(got.state.step == 8);
    CHECK(same_weights(*ref.net, *got.net));
    // metrics.csv keeps the first run's rows and appends the resumed epochs.
    const std::string csv = test::read_text(dir / "b" / "metrics.csv");
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 5);
  }

  SECTION("resumed in the middle of an epoch after a stop request") {
    TrainRequest b;
    b.config = config_for("b", 4);
    request_stop(SIGTERM);
    const TrainResult stopped = run_training(b);
    clear_stop_request();
    CHECK(stopped.interrupted);
    CHECK(stopped.steps == 1);
    TrainRequest resume;
    resume.resume = (dir / "b" / "last.ckpt").string();
    resume.config = resume_config(resume.resume, {});
    const TrainResult r = run_training(resume);
    CHECK(r.epochs_completed == 4);
    CHECK(r.steps == 8);
    CHECK(same_weights(*ref.net, *load_checkpoint((dir / "b" / "last.ckpt").string()).net));
  }
}

TEST_CASE("trainer: a non-finite loss stops the run, names the step and keeps the last good checkpoint",
          "[core][trainer]") {
  test::ScratchDir dir("trainer_nan");
  test::write_tiny_dataset(dir / "data");
  json j = test::tiny_train_config({{"net", "prisma_net"}, {"input_size", {64, 64}}}, dir / "data", dir / "run");
  j["train"]["max_steps_per_epoch"] = 2;

  SECTION("after a good epoch") {
    TrainRequest good;
    good.config = make_config(j, dir);
    REQUIRE(run_training(good).epochs_completed == 1);
    const std::string before = test::read_text(dir / "run" / "last.ckpt");

    TrainRequest bad;
    bad.resume = (dir / "run").string();
    bad.config = resume_config(bad.resume, {"train.epochs=3", "optim.lr=1e30"});
    CHECK_THAT(runtime_error_of(bad), Catch::Matchers::Contains("non-finite loss") &&
                                          Catch::Matchers::Contains("at epoch 2 step"));
    CHECK(test::read_text(dir / "run" / "last.ckpt") == before);
    CHECK(load_checkpoint((dir / "run" / "last.ckpt").string()).state.epoch == 1);
    CHECK_NOTHROW(load_checkpoint((dir / "run" / "best.ckpt").string()));
  }

  SECTION("in the first epoch: no checkpoint is left behind") {
    j["optim"]["lr"] = 1e30;
    TrainRequest bad;
    bad.config = make_config(j, dir);
    CHECK_THAT(runtime_error_of(bad), Catch::Matchers::Contains("non-finite loss") &&
                                          Catch::Matchers::Contains("at epoch 1 step"));
    for (const auto& e : fs::directory_iterator(dir / "run")) {
      INFO(e.path().filename());
      CHECK(e.path().extension() != ".ckpt");
      CHECK(e.path().filename().string().find("tmp") == std::string::npos);
    }
  }
}

TEST_CASE("trainer: the run directory holds config, log, metrics, curves and both checkpoints", "[core][trainer]") {
  test::ScratchDir dir("trainer_rundir");
  test::write_tiny_dataset(dir / "data");
  json j = test::tiny_train_config({{"net", "prisma_net"}, {"input_size", {64, 64}}}, dir / "data", dir / "run");
  j["train"]["epochs"] = 2;
  j["train"]["max_steps_per_epoch"] = 2;
  TrainRequest req;
  req.config = make_config(j, dir);
  run_training(req);

  const fs::path run = dir / "run";
  for (const char* name : {"config.json", "train.log", "metrics.csv", "curves.png", "last.ckpt", "best.ckpt"}) {
    INFO(name);
    CHECK(fs::is_regular_file(run / name));
  }
  CHECK(json::parse(test::read_text(run / "config.json"))["model"]["net"] == "prisma_net");
  CHECK_THAT(test::read_text(run / "train.log"), Catch::Matchers::Contains("step 2/2"));

  std::ifstream csv(run / "metrics.csv");
  std::string header;
  std::getline(csv, header);
  std::vector<std::string> columns;
  std::stringstream ss(header);
  for (std::string col; std::getline(ss, col, ',');) columns.push_back(col);
  for (const char* col : {"epoch", "step", "lr", "loss", "val_miou_per_image", "val_miou_confusion", "val_loss",
                          "seconds"}) {
    INFO(col);
    CHECK(std::find(columns.begin(), columns.end(), col) != columns.end());
  }
  int rows = 0;
  for (std::string line; std::getline(csv, line);) ++rows;
  CHECK(rows == 2);
}

TEST_CASE("trainer: channels-last training takes the steps contiguous training takes", "[core][trainer]") {
  // Oracle: the same run with contiguous weights. The kernels differ (NHWC oneDNN vs NCHW), so the weights agree to
  // rounding, not bit for bit. Prisma-Net has no BatchNorm: a convolution bias before a training-mode BatchNorm has
  // a gradient that is zero up to rounding, which either layout rounds differently and SGD then amplifies.
  test::ScratchDir dir("trainer_channels_last");
  test::write_tiny_dataset(dir / "data");
  auto run = [&](bool channels_last) {
    const std::string name = channels_last ? "nhwc" : "nchw";
    json j = test::tiny_train_config({{"net", "prisma_net"}, {"input_size", {64, 64}}}, dir / "data", dir / name);
    j["optim"] = {{"name", "sgd"}, {"lr", 0.05}};
    j["train"]["max_steps_per_epoch"] = 3;
    j["train"]["channels_last"] = channels_last;
    TrainRequest r;
    r.config = make_config(j, dir);
    REQUIRE(run_training(r).steps == 3);
    return load_checkpoint((dir / name / "last.ckpt").string());
  };
  const LoadedCheckpoint nchw = run(false), nhwc = run(true);
  auto theirs = nchw.net->named_parameters();
  torch::manual_seed(3);  // train.seed: the weights both runs started from
  auto initial = create_net(nchw.config.model)->named_parameters();
  double largest_step = 0, largest_difference = 0;
  for (const auto& p : nhwc.net->named_parameters()) {
    largest_step = std::max(largest_step, (theirs[p.key()] - initial[p.key()]).abs().max().item<double>());
    largest_difference = std::max(largest_difference, (p.value() - theirs[p.key()]).abs().max().item<double>());
  }
  INFO("largest weight change " << largest_step << ", largest difference " << largest_difference);
  CHECK(largest_step > 1e-3);
  CHECK(largest_difference < 1e-3 * largest_step);
}
