// portraitseg data: the report of a fixture dataset, and the exit codes of bad configs and bad files.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <fstream>

#include "tests/data/fixtures.h"
#include "tests/test_support.h"

using namespace pseg::test;

namespace {

std::string write_config(const ScratchDir& dir, const nlohmann::json& data) {
  const auto path = dir / "config.json";
  write_text(path, nlohmann::json{{"model", {{"net", "prisma_net"}}}, {"data", data}}.dump(2));
  return "--config \"" + path.string() + "\"";
}

nlohmann::json folders_source(const ScratchDir& dir) {
  return {{"format", "folders"}, {"images", (dir / "images").string()}, {"masks", (dir / "masks").string()}};
}

}  // namespace

TEST_CASE("data --json reports each split of a fixture") {
  ScratchDir dir("cli_data");
  write_folders(dir.path(), 10);
  std::filesystem::remove(dir / "masks/00004.png");
  const std::string cfg = write_config(dir, {{"train", {folders_source(dir)}}, {"split", {{"test_fraction", 0.25}, {"seed", 1}}},
                                             {"on_error", "skip"}});
  const CommandResult r = run_cli("data " + cfg + " --json --quiet");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.is_object());
  CHECK(j.size() == 2);
  CHECK(j.at("train").at("pairs") == 6);
  CHECK(j.at("test").at("pairs") == 3);
  REQUIRE(j.at("train").at("rejected").size() == 1);
  CHECK(j["train"]["rejected"][0].at("file").get<std::string>().find("00004") != std::string::npos);
  CHECK(j["train"]["rejected"][0].at("reason").get<std::string>().find("missing mask") != std::string::npos);
  const auto& src = j.at("train").at("sources").at(0);
  CHECK(src.at("format") == "folders");
  CHECK(src.at("image_size").at("min") == nlohmann::json({64, 48}));
  CHECK(src.at("foreground_fraction").get<double>() > 0.1);

  SECTION("text output names the splits and the rejected file") {
    const CommandResult t = run_cli("data " + cfg);
    INFO(t.out);
    CHECK(t.exit_code == 0);
    CHECK(t.out.find("train: 6 pairs") != std::string::npos);
    CHECK(t.out.find("held out") != std::string::npos);
    CHECK(t.out.find("00004.jpg: missing mask") != std::string::npos);
  }
  SECTION("strict mode stops at the bad pair with exit code 1") {
    const CommandResult s = run_cli("data " + cfg + " --set data.on_error=strict --json");
    CHECK(s.exit_code == 1);
    CHECK(s.out.find("00004.jpg: missing mask") != std::string::npos);
  }
}

TEST_CASE("data with a bad config exits 2 naming the key") {
  ScratchDir dir("cli_data_bad");
  nlohmann::json src = folders_source(dir);
  src["mask_rule"] = "foo";
  const CommandResult r = run_cli("data " + write_config(dir, {{"train", {src}}}));
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("data.train[0].mask_rule") != std::string::npos);
  const CommandResult u = run_cli("data " + write_config(dir, {{"train", {{{"format", "coco"}, {"root", "x"}}}}}));
  CHECK(u.exit_code == 2);
  CHECK(u.out.find("unknown format \"coco\"") != std::string::npos);
}

TEST_CASE("data: a list of a million lines stops at its first missing pair, in bounded memory") {
  ScratchDir dir("cli_data_million");
  write_list(dir.path(), 4);
  {
    std::ofstream list(dir / "million.txt");
    for (int i = 0; i < 4; ++i) list << "images/" << stem(i) << ".jpg annotations/" << stem(i) << ".png\n";
    for (int i = 4; i < 1000000; ++i) list << "images/missing_" << i << ".jpg annotations/missing_" << i << ".png\n";
  }
  const nlohmann::json source = {{"format", "list"}, {"root", dir.path().string()}, {"list", "million.txt"}};
  const std::string cfg = write_config(dir, {{"train", {source}}, {"on_error", "strict"}});
  const CommandResult r = run_cli("data " + cfg + " --quiet");
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("error: " + (dir / "images/missing_4.jpg").string() + ": missing image"));
  // Peak memory of the command (the largest child so far: the only one of this test process).
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  CHECK(usage.ru_maxrss < 1024 * 1024);  // KiB
}
