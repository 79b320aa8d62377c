// `portraitseg bench --train`: whole training steps (loader, PortraitNet two-view loss, Adam) on a synthetic set.
#include <nlohmann/json.hpp>

#include "tests/test_support.h"

using pseg::test::run_cli;
using nlohmann::json;

namespace {

json portraitnet_config(const std::string& data_root) {
  const json source = {{"format", "list"}, {"root", data_root}, {"list", "train.txt"}, {"mask_rule", "==1"}};
  json test_source = source;
  test_source["list"] = "test.txt";
  return {{"model", {{"net", "portrait_net"}, {"boundary_head", true}}},
          {"data", {{"train", {source}}, {"test", {test_source}}}},
          {"augment", {{"recipe", "portraitnet"}, {"texture_view", true}, {"boundary", true}}},
          {"loss", {{"recipe", "portraitnet"}, {"boundary", true}, {"consistency", true}}},
          {"optim", {{"name", "adam"}, {"lr", 1e-3}}},
          {"train", {{"workers", 1}}}};
}

}  // namespace

TEST_CASE("bench --train reports images/s of the PortraitNet two-view recipe with data loading") {
  pseg::test::ScratchDir dir("bench_train");
  const auto ds = dir / "ds";
  REQUIRE(run_cli("synth --out \"" + ds.string() + "\" --count 8 --size 80 --test-fraction 0.25").exit_code == 0);
  // The config's own dataset path does not exist: --data points at the synthetic set instead.
  pseg::test::write_text(dir / "cfg.json", portraitnet_config((dir / "missing").string()).dump());
  const std::string cfg = "--config \"" + (dir / "cfg.json").string() + "\"";

  const auto r = run_cli("bench --train " + cfg + " --data \"" + ds.string() +
                         "\" --size 96x64 --batch 2 --steps 2 --warmup 1 --threads 1 --json");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(r.out);  // stdout and stderr: nothing but the JSON object
  REQUIRE(j["results"].size() == 1);
  const json& row = j["results"][0];
  CHECK(row["mode"] == "train");
  CHECK(row["net"] == "portrait_net");
  CHECK(row["config"] == (dir / "cfg.json").string());
  CHECK(row["size"] == json::array({96, 64}));
  CHECK(row["batch"] == 2);
  CHECK(row["threads"] == 1);
  CHECK(row["steps"] == 2);
  for (const char* key : {"images_per_s", "median_step_ms", "p90_step_ms"}) CHECK(row[key].get<double>() > 0);
  CHECK(row["median_data_wait_ms"].get<double>() >= 0);
  CHECK(row["p90_step_ms"].get<double>() >= row["median_step_ms"].get<double>());

}

TEST_CASE("bench --train without data says how to make some and exits 2") {
  pseg::test::ScratchDir dir("bench_train_nodata");
  pseg::test::write_text(dir / "cfg.json", portraitnet_config((dir / "missing").string()).dump());
  const std::string cfg = "--config \"" + (dir / "cfg.json").string() + "\"";
  const auto missing = run_cli("bench --train " + cfg + " --steps 1");
  INFO(missing.out);
  CHECK(missing.exit_code == 2);
  CHECK(missing.out.find("portraitseg synth") != std::string::npos);
  CHECK(missing.out.find("--data") != std::string::npos);
  const auto bad_size = run_cli("bench --train " + cfg + " --size 64by48");
  CHECK(bad_size.exit_code == 2);
  CHECK(bad_size.out.find("--size: expected HxW") != std::string::npos);
}

TEST_CASE("bench --train --batch 1 on DeepLabV3 names the smallest batch it trains on and exits 2") {
  pseg::test::ScratchDir dir("bench_train_deeplab_batch");
  const auto ds = dir / "synth";
  REQUIRE(run_cli("synth --out \"" + ds.string() + "\" --count 4 --size 65 --test-fraction 0.25").exit_code == 0);
  const std::string cfg = pseg::test::shell_arg(pseg::test::source_path("configs/deeplab_v3.json"));
  const auto r = run_cli("bench --train --config " + cfg + " --size 65 --batch 1 --steps 1 --data " +
                         pseg::test::shell_arg(ds));
  INFO(r.out);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("bench --train --batch: deeplab_v3 trains on batches of at least 2 images") != std::string::npos);
}
