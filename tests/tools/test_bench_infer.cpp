// `portraitseg bench` inference mode: per-engine latency rows with the documented JSON keys, for a fresh net from a
// config (every engine), an exported file (its own engine), batches, and bad options. Tiny sizes, few runs:
// this checks the measurement, not the speed.
#include <catch2/catch.hpp>

#include "core/bench/infer_bench.h"
#include "core/common/stats.h"
#include "tests/tools/inference_test_util.h"

using namespace pseg;
using namespace pseg::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

void check_row(const json& row, const std::string& engine, int64_t h, int64_t w, int64_t batch) {
  INFO(row.dump());
  std::vector<std::string> keys;
  for (const auto& [k, v] : row.items()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  CHECK(keys == std::vector<std::string>{"batch", "engine", "fps", "median_ms", "p90_ms", "p99_ms", "size", "threads"});
  CHECK(row["engine"] == engine);
  CHECK(row["size"] == json::array({h, w}));
  CHECK(row["batch"] == batch);
  CHECK(row["threads"] == 1);
  const double median = row["median_ms"], p90 = row["p90_ms"], p99 = row["p99_ms"], fps = row["fps"];
  CHECK(median > 0);
  CHECK(median <= p90);
  CHECK(p90 <= p99);
  CHECK(fps == Approx(batch * 1000.0 / median).epsilon(1e-6));
}

}  // namespace

TEST_CASE("bench inference: a config's fresh net in all five engines, JSON rows", "[tools][bench]") {
  ScratchDir dir("bench_infer_config");
  const std::string cfg = write_json(dir / "prisma.json", {{"model", {{"net", "prisma_net"}}}});
  const auto r = run_cli("bench --config " + shell_arg(cfg) + " --size 64x96 --runs 4 --warmup 1 --threads 1 --json");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const json j = last_json(r.out);
  REQUIRE(j.size() == 1);
  REQUIRE(j["results"].size() == 5);
  check_row(j["results"][0], "libtorch", 64, 96, 1);
  check_row(j["results"][1], "torchscript", 64, 96, 1);
  check_row(j["results"][2], "onednn", 64, 96, 1);
  check_row(j["results"][3], "opencv", 64, 96, 1);
  check_row(j["results"][4], "onnx-torch", 64, 96, 1);
}

TEST_CASE("bench inference: exported files, batches, the text table", "[tools][bench]") {
  ScratchDir dir("bench_infer_files");
  const fs::path model = export_untrained(dir, "pnet_video", {{"net", "portrait_net"}, {"in_channels", 4}});
  auto r = run_cli("bench --model " + shell_arg(model.string() + ".onnx") + " --runs 3 --warmup 1 --threads 1 --json");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  json j = last_json(r.out);
  REQUIRE(j["results"].size() == 3);  // the three engines opening .onnx files
  check_row(j["results"][0], "onednn", 64, 64, 1);
  check_row(j["results"][1], "opencv", 64, 64, 1);
  check_row(j["results"][2], "onnx-torch", 64, 64, 1);

  r = run_cli("bench --model " + shell_arg(model.string() + ".pt") + " --batch 2 --runs 3 --warmup 1 --threads 1 --json");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  j = last_json(r.out);
  REQUIRE(j["results"].size() == 1);
  check_row(j["results"][0], "torchscript", 64, 64, 2);

  r = run_cli("bench --model " + shell_arg(model.string() + ".pt") + " --engine torchscript --runs 2 --warmup 0 --threads 1");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Matchers::Contains("median ms") && Catch::Matchers::Contains("torchscript"));
}

TEST_CASE("bench inference: an engine that cannot open the file is reported, the others are timed", "[tools][bench]") {
  // oneDNN compiles no Greater, which the mask head ends with; OpenCV DNN and onnx-torch run it.
  ScratchDir dir("bench_infer_partial");
  const nlohmann::json model = {{"net", "prisma_net"}, {"input_size", {64, 64}}};
  const std::string cfg = write_json(dir / "prisma.json", {{"model", model}});
  const fs::path out = dir / "export";
  auto r = run_cli("export --config " + shell_arg(cfg) + " --head mask --no-verify --out " + shell_arg(out));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const std::string onnx = shell_arg((out / "prisma.onnx").string());

  r = run_cli("bench --model " + onnx + " --runs 2 --warmup 0 --threads 1 --json");
  INFO(r.out);
  CHECK(r.exit_code == 1);
  const json j = last_json(r.out);
  REQUIRE(j["results"].size() == 3);
  const json& failed = j["results"].at(0);
  CHECK(failed.size() == 2);
  CHECK(failed.at("engine") == "onednn");
  CHECK_THAT(failed.at("error").get<std::string>(), Catch::Contains("Greater"));
  check_row(j["results"][1], "opencv", 64, 64, 1);
  check_row(j["results"][2], "onnx-torch", 64, 64, 1);

  r = run_cli("bench --model " + onnx + " --runs 2 --warmup 0 --threads 1");
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("onednn       failed: ") && Catch::Contains("Greater") &&
                        Catch::Contains("opencv") && Catch::Contains("onnx-torch"));

  // Named alone, the engine's error is the command's.
  r = run_cli("bench --model " + onnx + " --engine onednn --runs 2 --threads 1");
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("error: ") && Catch::Contains("Greater") && !Catch::Contains("median ms"));

  // No engine can time the file: its error is the command's, not a table of failures.
  const fs::path broken = dir / "broken.pt";
  write_text(broken, "not a TorchScript archive");
  r = run_cli("bench --model " + shell_arg(broken) + " --runs 2 --threads 1");
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("error: ") && Catch::Contains(broken.string()) && !Catch::Contains("failed: "));
}

TEST_CASE("bench inference: bad options are usage errors", "[tools][bench]") {
  ScratchDir dir("bench_infer_bad");
  const fs::path model = export_untrained(dir, "prisma", {{"net", "prisma_net"}});
  const std::string pt = shell_arg(model.string() + ".pt");
  const std::vector<std::string> cases = {"bench --model " + pt + " --engine libtorch",
                                          "bench --model " + pt + " --engine fast",
                                          "bench --model " + pt + " --size 32x32", "bench --runs 3",
                                          "bench --model " + shell_arg(model.string() + ".onnx") + " --batch 2"};
  for (const std::string& args : cases) {
    const auto r = run_cli(args + " --threads 1");
    INFO(args << "\n" << r.out);
    CHECK(r.exit_code == 2);
  }
}

TEST_CASE("bench inference: nearest-rank percentiles", "[core][bench]") {
  const std::vector<double> v = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
  CHECK(percentile(v, 50) == 5);
  CHECK(percentile(v, 90) == 9);
  CHECK(percentile(v, 99) == 10);
  CHECK(percentile({3.0}, 99) == 3);
  CHECK(parse_engine_choice("all").size() == 5);
  CHECK_THROWS_AS(parse_engine_choice("onnxruntime"), std::invalid_argument);
}
