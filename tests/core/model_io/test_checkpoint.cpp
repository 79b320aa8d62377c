// Checkpoints: exact resume (weights, buffers, Adam moments, RNG), atomic writes, clear errors for bad files.
#include <torch/torch.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/model_io/checkpoint.h"
#include "core/optim/optim.h"
#include "core/torch_runtime/memory_format.h"
#include "nets/registry.h"
#include "tests/test_support.h"

using namespace pseg;
namespace fs = std::filesystem;

namespace {

// PortraitNet: batch-norm buffers and a boundary head; 32x32 keeps it fast.
Config tiny_config() {
  return parse_config(nlohmann::json::parse(R"({
    "model": {"net": "portrait_net", "boundary_head": true, "input_size": [32, 32]},
    "optim": {"lr": 0.01, "weight_decay": 5e-4},
    "train": {"epochs": 3, "batch_size": 2}
  })"),
                      "configs/tiny.json");
}

std::vector<torch::Tensor> batches() {
  torch::manual_seed(42);
  return {torch::rand({2, 3, 32, 32}), torch::rand({2, 3, 32, 32}), torch::rand({2, 3, 32, 32}),
          torch::rand({2, 3, 32, 32})};
}

void train_step(SegNetImpl& net, torch::optim::Optimizer& opt, const torch::Tensor& x) {
  net.train();
  opt.zero_grad();
  auto out = net.forward(x);
  (out.mask_logits.pow(2).mean() + out.boundary_logits.pow(2).mean()).backward();
  opt.step();
}

bool same_state(SegNetImpl& a, SegNetImpl& b) {
  auto pa = a.named_parameters();
  auto pb = b.named_parameters();
  for (const auto& p : pa)
    if (!torch::equal(p.value(), pb[p.key()])) return false;
  auto ba = a.named_buffers();
  auto bb = b.named_buffers();
  for (const auto& x : ba)
    if (!torch::equal(x.value(), bb[x.key()])) return false;
  return true;
}

}  // namespace

TEST_CASE("checkpoint: resume is bit-identical to an uninterrupted run (weights, buffers, Adam moments)",
          "[core][checkpoint]") {
  test::ScratchDir dir("ckpt");
  const auto config = tiny_config();
  const auto xs = batches();
  torch::manual_seed(1);
  SegNet net = create_net(config.model);
  auto opt = make_optimizer(config.optim, net->parameters());
  train_step(*net, *opt, xs[0]);
  train_step(*net, *opt, xs[1]);

  TrainingState state;
  state.epoch = 2;
  state.step = 17;
  state.best_metric = 0.875;
  state.best_metric_name = "miou_per_image";
  state.scheduler.kind = "plateau";
  state.scheduler.lr = 0.005;
  state.scheduler.best = 0.25;
  state.scheduler.wait = 3;
  state.step_in_epoch = 5;
  state.global_batch = 16;
  state.early_stop_wait = 2;
  const std::string path = (dir / "last.ckpt").string();
  save_checkpoint(path, config, *net, state, opt.get());

  auto loaded = load_checkpoint(path);
  CHECK(loaded.version == kCheckpointVersion);
  CHECK(loaded.config.model.net == "portrait_net");
  CHECK(loaded.config.train.run_dir == "runs/tiny");  // source-derived default survives
  CHECK(loaded.config_json == config.resolved);
  CHECK(loaded.state.epoch == 2);
  CHECK(loaded.state.step == 17);
  CHECK(loaded.state.best_metric == 0.875);
  CHECK(loaded.state.best_metric_name == "miou_per_image");
  CHECK(loaded.state.scheduler == state.scheduler);
  CHECK(loaded.state.step_in_epoch == 5);
  CHECK(loaded.state.global_batch == 16);
  CHECK(loaded.state.early_stop_wait == 2);
  REQUIRE(same_state(*net, *loaded.net));
  net->eval();
  loaded.net->eval();
  CHECK(torch::equal(net->forward(xs[2]).mask_logits, loaded.net->forward(xs[2]).mask_logits));

  auto resumed_opt = make_optimizer(loaded.config.optim, loaded.net->parameters());
  REQUIRE(restore_optimizer(loaded, *resumed_opt, loaded.config.optim.name));
  auto fresh = load_checkpoint(path);
  auto fresh_opt = make_optimizer(fresh.config.optim, fresh.net->parameters());  // moments lost

  for (int i = 2; i < 4; ++i) {
    train_step(*net, *opt, xs[i]);
    train_step(*loaded.net, *resumed_opt, xs[i]);
    train_step(*fresh.net, *fresh_opt, xs[i]);
  }
  CHECK(same_state(*net, *loaded.net));
  CHECK_FALSE(same_state(*net, *fresh.net));
}

TEST_CASE("checkpoint: without an optimiser nothing is restored, NaN best metric survives, RNG restores",
          "[core][checkpoint]") {
  test::ScratchDir dir("ckpt");
  const auto config = tiny_config();
  SegNet net = create_net(config.model);
  const std::string path = (dir / "w.ckpt").string();
  torch::manual_seed(9);
  save_checkpoint(path, config, *net, TrainingState{}, nullptr);
  const auto after_save = torch::rand({4});

  auto loaded = load_checkpoint(path);
  CHECK(std::isnan(loaded.state.best_metric));
  auto opt = make_optimizer(config.optim, loaded.net->parameters());
  CHECK_FALSE(restore_optimizer(loaded, *opt, "adam"));

  torch::manual_seed(123);
  restore_rng(loaded);
  CHECK(torch::equal(torch::rand({4}), after_save));
}

TEST_CASE("checkpoint: atomic write leaves only the target file, and overwrites it", "[core][checkpoint]") {
  test::ScratchDir dir("ckpt");
  const auto config = tiny_config();
  SegNet net = create_net(config.model);
  const std::string path = (dir / "sub" / "best.ckpt").string();
  TrainingState s;
  save_checkpoint(path, config, *net, s, nullptr);
  s.epoch = 5;
  save_checkpoint(path, config, *net, s, nullptr);
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir / "sub")) files.push_back(e.path().filename().string());
  CHECK(files == std::vector<std::string>{"best.ckpt"});
  CHECK(load_checkpoint(path).state.epoch == 5);
}

TEST_CASE("checkpoint: missing, foreign, truncated and unknown-net files are clear errors naming the file",
          "[core][checkpoint]") {
  test::ScratchDir dir("ckpt");
  auto config = tiny_config();
  SegNet net = create_net(config.model);
  const std::string good = (dir / "good.ckpt").string();
  save_checkpoint(good, config, *net, TrainingState{}, nullptr);

  const std::string missing = (dir / "missing.ckpt").string();
  CHECK_THROWS_WITH(load_checkpoint(missing), Catch::Contains(missing) && Catch::Contains("no such"));

  const std::string text = (dir / "text.ckpt").string();
  test::write_text(text, "this is not a checkpoint");
  CHECK_THROWS_AS(load_checkpoint(text), std::runtime_error);
  CHECK_THROWS_WITH(load_checkpoint(text), Catch::Contains(text) && Catch::Contains("not a"));

  const std::string truncated = (dir / "truncated.ckpt").string();
  {
    std::ifstream in(good, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    test::write_text(truncated, bytes.substr(0, bytes.size() / 2));
  }
  CHECK_THROWS_WITH(load_checkpoint(truncated), Catch::Contains(truncated));

  const std::string unknown = (dir / "unknown.ckpt").string();
  config.resolved["model"]["net"] = "no_such_net";
  save_checkpoint(unknown, config, *net, TrainingState{}, nullptr);
  CHECK_THROWS_AS(load_checkpoint(unknown), std::runtime_error);
  CHECK_THROWS_WITH(load_checkpoint(unknown), Catch::Contains(unknown) && Catch::Contains("no_such_net"));
}

TEST_CASE("checkpoint: optimiser state of another kind is refused", "[core][checkpoint]") {
  test::ScratchDir dir("ckpt");
  const auto config = tiny_config();
  SegNet net = create_net(config.model);
  auto adam = make_optimizer(config.optim, net->parameters());
  train_step(*net, *adam, batches()[0]);
  const std::string path = (dir / "a.ckpt").string();
  save_checkpoint(path, config, *net, TrainingState{}, adam.get());
  auto loaded = load_checkpoint(path);
  OptimConfig sgd;
  sgd.name = "sgd";
  auto opt = make_optimizer(sgd, loaded.net->parameters());
  CHECK_THROWS_WITH(restore_optimizer(loaded, *opt, sgd.name), Catch::Contains("adam") && Catch::Contains(path));
}

TEST_CASE("checkpoint: a corrupted record is refused by its CRC-32 before LibTorch parses it", "[core][checkpoint]") {
  // Found by tests/fuzz/fuzz_checkpoint.cpp: two bytes changed in data.pkl made LibTorch's unpickler reserve 4 GB.
  const std::string found = test::source_path("tests/fuzz/corpus/checkpoint/regression-unpickler-length");
  CHECK_THROWS_WITH(load_checkpoint(found), Catch::Contains(found) && Catch::Contains("not a portraitseg checkpoint") &&
                                                Catch::Contains("fails its CRC-32 check"));

  test::ScratchDir dir("ckpt_crc");
  auto config = tiny_config();
  SegNet net = create_net(config.model);
  const std::string good = (dir / "good.ckpt").string();
  save_checkpoint(good, config, *net, TrainingState{}, nullptr);
  std::string bytes;
  {
    std::ifstream in(good, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // One flipped bit in the middle of the weights, and an archive cut before its central directory.
  const std::string flipped = (dir / "flipped.ckpt").string(), cut = (dir / "cut.ckpt").string();
  std::string bad = bytes;
  bad[bad.size() / 2] = static_cast<char>(bad[bad.size() / 2] ^ 0x10);
  test::write_text(flipped, bad);
  test::write_text(cut, bytes.substr(0, bytes.size() - 200));
  CHECK_THROWS_WITH(load_checkpoint(flipped), Catch::Contains(flipped) && Catch::Contains("fails its CRC-32 check"));
  CHECK_THROWS_WITH(load_checkpoint(cut), Catch::Contains(cut) && Catch::Contains("not a portraitseg checkpoint"));
  CHECK_NOTHROW(load_checkpoint(good));
}

TEST_CASE("checkpoint: a channels-last net is stored contiguous and keeps training channels-last",
          "[core][checkpoint]") {
  test::ScratchDir dir("ckpt");
  const auto config = tiny_config();
  SegNet net = create_net(config.model);
  set_weight_memory_format(*net, torch::MemoryFormat::ChannelsLast);
  const std::string path = (dir / "cl.ckpt").string();
  save_checkpoint(path, config, *net, TrainingState{}, nullptr);
  const auto loaded = load_checkpoint(path);
  CHECK(same_state(*net, *loaded.net));
  int64_t four_d = 0;
  for (const auto& p : loaded.net->named_parameters()) {
    if (p.value().dim() != 4) continue;
    ++four_d;
    INFO(p.key() << " strides " << p.value().strides());
    CHECK(p.value().is_contiguous());
  }
  REQUIRE(four_d > 0);
  for (const auto& p : net->parameters())
    if (p.dim() == 4) CHECK(p.is_contiguous(torch::MemoryFormat::ChannelsLast));
}
