// `portraitseg info` end to end: exact parameter counts for every shipped config, and clear usage errors.
#include <nlohmann/json.hpp>

#include "tests/test_support.h"

using pseg::test::run_cli;
using pseg::test::source_path;

namespace {

nlohmann::json info_json(const std::string& args) {
  const auto r = run_cli("info " + args + " --json --threads 2");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("info --config reports the exact parameter counts of all six configs", "[tools][info]") {
  struct Expected {
    const char* config;
    int64_t params;
    int64_t params_deploy;
    std::vector<int64_t> input;
    size_t outputs;
  };
  const std::vector<Expected> expected = {
      {"mobile_unet_deconv", 3630593, 3630593, {1, 3, 128, 128}, 1},
      {"mobile_unet_bilinear", 3630593, 3630593, {1, 3, 128, 128}, 1},
      {"prisma_net", 923057, 923057, {1, 3, 256, 256}, 1},
      {"portrait_net", 2080904, 2080760, {1, 3, 224, 224}, 2},
      {"portrait_net_video", 2081192, 2081048, {1, 4, 224, 224}, 2},
      {"slim_net", 347570, 347570, {1, 3, 512, 512}, 1},
      {"mobile_unet_v3", 952018, 952018, {1, 3, 256, 256}, 1},  // nets_more.md §2.7
      {"deeplab_v3", 692130, 692130, {1, 3, 513, 513}, 1},      // nets_more.md §1.7
  };
  for (const auto& e : expected) {
    INFO(e.config);
    const auto j = info_json("--config " + source_path(std::string("configs/") + e.config + ".json"));
    REQUIRE(j.at("params").get<int64_t>() == e.params);
    REQUIRE(j.at("params_deploy").get<int64_t>() == e.params_deploy);
    REQUIRE(j.at("input_shape").get<std::vector<int64_t>>() == e.input);
    REQUIRE(j.at("output_shapes").size() == e.outputs);
    REQUIRE(j.at("macs").get<int64_t>() > 0);
    for (const char* key : {"net", "options", "description", "buffers"}) REQUIRE(j.contains(key));
  }
}

TEST_CASE("info --net builds by name with --set overrides", "[tools][info]") {
  const auto j = info_json("--net prisma_net --set input_size=[128,192]");
  REQUIRE(j.at("input_shape").get<std::vector<int64_t>>() == std::vector<int64_t>{1, 3, 128, 192});
  REQUIRE(j.at("output_shapes")[0].get<std::vector<int64_t>>() == std::vector<int64_t>{1, 1, 128, 192});
  REQUIRE(j.at("params").get<int64_t>() == 923057);
  // Convolution MACs scale with the number of output pixels.
  const auto full = info_json("--net prisma_net");
  REQUIRE(full.at("macs").get<int64_t>() == j.at("macs").get<int64_t>() * 256 * 256 / (128 * 192));
}

TEST_CASE("info: usage and config errors exit 2 with one line naming the problem", "[tools][info]") {
  pseg::test::ScratchDir dir("info");
  const auto bad_key = dir / "bad_key.json";
  pseg::test::write_text(bad_key, R"({"model": {"net": "prisma_net", "colour": 3}})");
  auto r = run_cli("info --config " + bad_key.string());
  REQUIRE(r.exit_code == 2);
  REQUIRE_THAT(r.out, Catch::Contains("model.colour: unknown key"));

  const auto bad_type = dir / "bad_type.json";
  pseg::test::write_text(bad_type, R"({"model": {"net": "prisma_net", "input_size": "big"}})");
  r = run_cli("info --config " + bad_type.string());
  REQUIRE(r.exit_code == 2);
  REQUIRE_THAT(r.out, Catch::Contains("model.input_size: expected an array of 2 integers"));

  const auto malformed = dir / "malformed.json";
  pseg::test::write_text(malformed, R"({"model": {"net": )");
  r = run_cli("info --config " + malformed.string());
  REQUIRE(r.exit_code == 2);
  REQUIRE_THAT(r.out, Catch::Contains("malformed.json: invalid JSON"));

  r = run_cli("info --net no_such_net");
  REQUIRE(r.exit_code == 2);
  REQUIRE_THAT(r.out, Catch::Contains("model.net: unknown net \"no_such_net\""));

  r = run_cli("info --net prisma_net --set input_size=[100,100]");
  REQUIRE(r.exit_code == 2);
  REQUIRE_THAT(r.out, Catch::Contains("multiples of 16"));

  r = run_cli("info --config " + (dir / "missing.json").string());
  REQUIRE(r.exit_code == 2);

  r = run_cli("info");
  REQUIRE(r.exit_code == 2);
  REQUIRE_THAT(r.out, Catch::Contains("--config or --net"));

  r = run_cli("info --net prisma_net --device cuda:0");
  if (r.exit_code != 0) {  // a CPU-only LibTorch or a machine without a GPU
    REQUIRE(r.exit_code == 2);
    REQUIRE_THAT(r.out, Catch::Contains("--device cuda:0"));
  }

  r = run_cli("info --net prisma_net --device tpu");
  REQUIRE(r.exit_code == 2);
}

TEST_CASE("every subcommand has --help and exits 0", "[tools][cli]") {
  for (const char* cmd : {"info", "synth", "data", "train", "eval", "export", "test", "video", "bench", "import"}) {
    INFO(cmd);
    const auto r = run_cli(std::string(cmd) + " --help");
    REQUIRE(r.exit_code == 0);
    REQUIRE_THAT(r.out, Catch::Contains("--threads"));
  }
  REQUIRE(run_cli("--help").exit_code == 0);
  REQUIRE(run_cli("no-such-command").exit_code == 2);
}
