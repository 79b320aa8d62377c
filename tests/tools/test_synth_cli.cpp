// `portraitseg synth`: writes a dataset (exit 0); bad arguments exit 2.
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "tests/test_support.h"

using pseg::test::run_cli;

TEST_CASE("synth writes a list dataset") {
  pseg::test::ScratchDir dir("synth_cli");
  const auto out = dir / "ds";
  const auto r = run_cli("synth --out \"" + out.string() + "\" --count 5 --size 80x60 --seed 2 --json");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("\"train\":4") != std::string::npos);
  CHECK(std::filesystem::exists(out / "images/synth_00004.jpg"));
  CHECK(std::filesystem::exists(out / "masks/synth_00004.png"));
  // --size is HxW like every other command: 80 high, 60 wide.
  const cv::Mat image = cv::imread((out / "images/synth_00004.jpg").string());
  CHECK(image.rows == 80);
  CHECK(image.cols == 60);
  std::ifstream test(out / "test.txt");
  std::string line;
  REQUIRE(std::getline(test, line));
  CHECK(line.rfind("images/synth_", 0) == 0);
  CHECK(line.find(" masks/synth_") != std::string::npos);
}

TEST_CASE("synth rejects bad arguments with exit code 2") {
  pseg::test::ScratchDir dir("synth_cli_bad");
  const std::string out = "--out \"" + (dir / "x").string() + "\"";
  CHECK(run_cli("synth --count 3").exit_code == 2);
  CHECK(run_cli("synth " + out + " --size abc").exit_code == 2);
  CHECK(run_cli("synth " + out + " --size 8").exit_code == 2);
  for (const char* bad : {"0x64", "64x-8", "64x", "x64", "64,48"}) {
    const auto r = run_cli("synth " + out + " --size " + bad);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("expected HxW (height x width") != std::string::npos);
  }
  CHECK(run_cli("synth " + out + " --count 0").exit_code == 2);
  CHECK(run_cli("synth " + out + " --test-fraction 2").exit_code == 2);
  CHECK(run_cli("synth " + out + " --format gif").exit_code == 2);
  CHECK(run_cli("synth " + out + " --backgrounds \"" + (dir / "missing").string() + "\"").exit_code == 2);
}
