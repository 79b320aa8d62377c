// `portraitseg train` end to end: stopping on SIGTERM with a loadable last.ckpt, config errors with their exit
// codes and key paths, and --dry-run.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <sstream>
#include <thread>

#include "core/model_io/checkpoint.h"
#include "core/train/run_dir_lock.h"
#include "tests/core/trainer_test_util.h"
#include "tests/test_support.h"

using namespace pseg;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json prisma_config(const test::ScratchDir& dir) {
  json j = test::tiny_train_config({{"net", "prisma_net"}, {"input_size", {64, 64}}}, dir / "data", dir / "run");
  j["train"]["max_steps_per_epoch"] = 2;
  return j;
}

std::string write_config(const test::ScratchDir& dir, const json& j) {
  const fs::path p = dir / "cfg.json";
  test::write_text(p, j.dump(2));
  return p.string();
}

// `portraitseg train --config cfg` in the background, stdout and stderr into `log`; its pid (-1 if fork failed).
pid_t start_trainer(const std::string& cfg, const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    execl(PSEG_BINARY, PSEG_BINARY, "train", "--config", cfg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

}  // namespace

TEST_CASE("cli train: SIGTERM stops the run with a non-zero exit and a loadable last.ckpt", "[tools][train]") {
  test::ScratchDir dir("cli_train_signal");
  test::write_tiny_dataset(dir / "data");
  json j = prisma_config(dir);
  j["train"]["epochs"] = 100000;  // far longer than the test waits: the signal always arrives mid-training
  const std::string cfg = write_config(dir, j);
  const std::string log = (dir / "out.txt").string();

  const pid_t pid = start_trainer(cfg, log);
  REQUIRE(pid >= 0);

  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  const fs::path run = dir / "run";
  int status = 0;
  bool exited = false;
  // Wait for the first epoch's checkpoint, so training is under way.
  while (!fs::exists(run / "last.ckpt") && Clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  INFO(read_text(log));
  REQUIRE_FALSE(exited);
  kill(pid, SIGTERM);
  const auto stop_deadline = Clock::now() + std::chrono::seconds(60);
  while (!exited && Clock::now() < stop_deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) exited = true;
    else std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL("portraitseg train did not stop within 60 s of SIGTERM");
  }
  const std::string out = read_text(log);
  INFO(out);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) != 0);
  CHECK_THAT(out, Catch::Matchers::Contains("interrupted") && Catch::Matchers::Contains("last.ckpt"));
  const LoadedCheckpoint ckpt = load_checkpoint((run / "last.ckpt").string());
  CHECK(ckpt.config.model.net == "prisma_net");
  CHECK(ckpt.state.step >= 2);
}

TEST_CASE("cli train: config errors exit non-zero naming the key or path", "[tools][train]") {
  test::ScratchDir dir("cli_train_config");
  test::write_tiny_dataset(dir / "data");
  json j = prisma_config(dir);

  SECTION("unknown key") {
    j["train"]["bogus_key"] = 3;
    const auto r = test::run_cli("train --config \"" + write_config(dir, j) + "\"");
    INFO(r.out);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Catch::Matchers::Contains("train.bogus_key"));
  }
  SECTION("wrong type") {
    j["train"]["epochs"] = "five";
    const auto r = test::run_cli("train --config \"" + write_config(dir, j) + "\"");
    INFO(r.out);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Catch::Matchers::Contains("train.epochs"));
  }
  SECTION("missing dataset directory") {
    const std::string missing = (dir / "no_such_data").string();
    j["data"]["train"][0]["root"] = missing;
    const auto r = test::run_cli("train --config \"" + write_config(dir, j) + "\"");
    INFO(r.out);
    CHECK(r.exit_code == 1);  // the config is well-formed; the disk lacks the data
    CHECK_THAT(r.out, Catch::Matchers::Contains(missing));
  }
  SECTION("batch larger than the training set") {
    j["train"]["batch_size"] = 19;  // 18 training images, drop_last
    const auto r = test::run_cli("train --config \"" + write_config(dir, j) + "\"");
    INFO(r.out);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Catch::Matchers::Contains("train.batch_size"));
    CHECK_FALSE(fs::exists(dir / "run"));  // refused before the run directory is created
    const auto dry = test::run_cli("train --dry-run --config \"" + write_config(dir, j) + "\"");
    INFO(dry.out);
    CHECK(dry.exit_code == 2);
    CHECK_THAT(dry.out, Catch::Matchers::Contains("train.batch_size"));
  }
  SECTION("a batch of one image for DeepLabV3, whose image-pooling BatchNorm normalises a 1x1 map") {
    j["model"] = {{"net", "deeplab_v3"}, {"input_size", {65, 65}}};
    j["loss"]["recipe"] = "ce";
    j["train"]["batch_size"] = 1;
    const auto r = test::run_cli("train --config \"" + write_config(dir, j) + "\"");
    INFO(r.out);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Catch::Matchers::Contains("train.batch_size: deeplab_v3 trains on batches of at least 2") &&
                          Catch::Matchers::Contains("got 1"));
    CHECK_FALSE(fs::exists(dir / "run"));
    j["train"]["batch_size"] = 2;
    const auto two = test::run_cli("train --dry-run --config \"" + write_config(dir, j) + "\"");
    INFO(two.out);
    CHECK(two.exit_code == 0);
  }
  SECTION("batch size 0") {
    j["train"]["batch_size"] = 0;
    const auto r = test::run_cli("train --config \"" + write_config(dir, j) + "\"");
    INFO(r.out);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Catch::Matchers::Contains("train.batch_size"));
  }
}

TEST_CASE("cli train: --dry-run validates and writes no checkpoint", "[tools][train]") {
  test::ScratchDir dir("cli_train_dry");
  test::write_tiny_dataset(dir / "data");
  const auto r = test::run_cli("train --dry-run --config \"" + write_config(dir, prisma_config(dir)) + "\"");
  INFO(r.out);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Matchers::Contains("dry run"));
  CHECK_FALSE(fs::exists(dir / "run" / "last.ckpt"));
  CHECK_FALSE(fs::exists(dir / "run" / "best.ckpt"));
}

TEST_CASE("cli train: a run directory in use refuses a second trainer naming the holder, and after kill -9 the lock is "
          "gone and train.log holds every line logged", "[tools][train]") {
  test::ScratchDir dir("cli_train_lock");
  test::write_tiny_dataset(dir / "data");
  json j = prisma_config(dir);
  j["train"]["epochs"] = 100000;  // runs until killed
  const std::string cfg = write_config(dir, j);
  const std::string log = (dir / "out.txt").string();
  const fs::path run = dir / "run";

  const pid_t pid = start_trainer(cfg, log);
  REQUIRE(pid >= 0);
  // Until two epochs are saved: the run holds its directory and has logged several checkpoints.
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  int status = 0;
  while (Clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) FAIL("the trainer ended early:\n" << read_text(log));
    if (fs::exists(run / "last.ckpt") && load_checkpoint((run / "last.ckpt").string()).state.epoch >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  const std::string holder = "in use by another training run (pid " + std::to_string(pid) + " on ";
  const auto second = test::run_cli("train --config \"" + cfg + "\"");
  INFO(second.out);
  CHECK(second.exit_code == 1);
  CHECK_THAT(second.out, Catch::Matchers::Contains(run.string() + ": " + holder));
  const auto resume = test::run_cli("train --resume \"" + run.string() + "\"");
  INFO(resume.out);
  CHECK(resume.exit_code == 1);
  CHECK_THAT(resume.out, Catch::Matchers::Contains(holder));

  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  CHECK_NOTHROW(RunDirLock(run.string()));  // the kernel released it with the process

  // Every line the trainer printed once its run directory was open (from "run directory ...") reached train.log,
  // checkpoint messages included; only the line being written at the kill may be missing.
  std::vector<std::string> printed;
  std::istringstream out(read_text(log));
  for (std::string line; std::getline(out, line);) printed.push_back(line);
  size_t first = printed.size(), checkpoints = 0;
  for (size_t i = 0; i < printed.size(); ++i) {
    if (first == printed.size() && printed[i].find("run directory ") != std::string::npos) first = i;
    if (i > first && printed[i].find(".ckpt") != std::string::npos) ++checkpoints;
  }
  REQUIRE(first < printed.size());
  CHECK(checkpoints >= 1);
  const std::string train_log = read_text(run / "train.log");
  for (size_t i = first; i + 1 < printed.size(); ++i) {
    INFO("line " << i + 1 << " of the trainer's output: " << printed[i]);
    CHECK_THAT(train_log, Catch::Matchers::Contains(printed[i]));
  }
}
