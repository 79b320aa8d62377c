// Bad inputs found when a dataset is opened: strict mode stops with one line naming the file, skip mode
// skips the pair and reports why.
#include <catch2/catch.hpp>

#include <fstream>

#include "tests/data/fixtures.h"
#include "tests/data/source_test_util.h"
#include "tests/test_support.h"

using namespace pseg;
using namespace pseg::test;

namespace {

SourceConfig folders_of(const ScratchDir& dir) {
  SourceConfig s;
  s.format = "folders";
  s.images = (dir / "images").string();
  s.masks = (dir / "masks").string();
  return s;
}

void truncate_file(const std::filesystem::path& p, double keep) {
  const auto n = std::filesystem::file_size(p);
  std::filesystem::resize_file(p, static_cast<uintmax_t>(static_cast<double>(n) * keep));
}

// Strict mode throws std::runtime_error whose message contains `file` and `reason`; skip mode rejects one pair.
void expect_rejected(const SourceConfig& s, const std::string& file, const std::string& reason) {
  try {
    open_train_only(s, OnError::Strict);
    FAIL("strict mode accepted a bad pair");
  } catch (const std::invalid_argument& e) {
    FAIL(std::string("configuration error instead of a runtime error: ") + e.what());
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    CHECK(msg.find(file) != std::string::npos);
    CHECK(msg.find(reason) != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
  }
  const Dataset d = open_train_only(s, OnError::Skip);
  CHECK(d.train->size() == 7);
  CHECK(d.report.train.pairs == 7);
  REQUIRE(d.report.train.rejected.size() == 1);
  CHECK(d.report.train.sources.at(0).rejected == 1);
  CHECK(d.report.train.rejected[0].reason.find(reason) != std::string::npos);
  CHECK(d.report.train.rejected[0].reason.find(file) != std::string::npos);
}

}  // namespace

TEST_CASE("a clean fixture opens in strict mode") {
  ScratchDir dir("clean");
  write_folders(dir.path(), 8);
  CHECK(open_train_only(folders_of(dir)).report.train.rejected.empty());
}

TEST_CASE("missing mask") {
  ScratchDir dir("missing_mask");
  write_folders(dir.path(), 8);
  std::filesystem::remove(dir / "masks/00003.png");
  expect_rejected(folders_of(dir), "00003.png", "missing mask");
}

TEST_CASE("missing mask named by a list file") {
  ScratchDir dir("missing_listed");
  write_list(dir.path(), 8);
  std::filesystem::remove(dir / "annotations/00004.png");
  SourceConfig s;
  s.format = "list";
  s.root = dir.path().string();
  s.list = "train.txt";
  expect_rejected(s, "annotations/00004.png", "missing mask");
}

TEST_CASE("unreadable image") {
  ScratchDir dir("unreadable");
  write_folders(dir.path(), 8);
  std::ofstream(dir / "images/00005.png", std::ios::binary | std::ios::trunc) << "this is not an image at all";
  expect_rejected(folders_of(dir), "00005.png", "cannot decode image");
}

TEST_CASE("truncated image files") {
  ScratchDir dir("truncated");
  write_folders(dir.path(), 8);
  SECTION("JPEG") {
    truncate_file(dir / "images/00002.jpg", 0.6);
    expect_rejected(folders_of(dir), "00002.jpg", "truncated JPEG");
  }
  SECTION("PNG") {
    truncate_file(dir / "images/00003.png", 0.6);
    expect_rejected(folders_of(dir), "00003.png", "truncated PNG");
  }
}

TEST_CASE("mask size differs from image size") {
  ScratchDir dir("size_mismatch");
  write_folders(dir.path(), 8);
  write_image(dir / "masks/00006.png", cv::Mat(10, 12, CV_8UC1, cv::Scalar(255)));
  expect_rejected(folders_of(dir), "masks/00006.png", "mask size 12x10 differs from image size 64x48");
}

TEST_CASE("empty dataset is an error in both modes") {
  ScratchDir dir("empty");
  std::filesystem::create_directories(dir / "images");
  std::filesystem::create_directories(dir / "masks");
  for (const OnError mode : {OnError::Strict, OnError::Skip})
    CHECK_THROWS_WITH(open_train_only(folders_of(dir), mode),
                      Catch::Contains("data.train[0]") && Catch::Contains("no usable image/mask pairs"));
  SECTION("also when every pair is skipped") {
    write_folders(dir.path(), 1);
    std::filesystem::remove(dir / "masks/00001.png");
    CHECK_THROWS_WITH(open_train_only(folders_of(dir), OnError::Skip),
                      Catch::Contains("1 rejected") && Catch::Contains("missing mask"));
  }
}

TEST_CASE("missing directory") {
  ScratchDir dir("nodir");
  SourceConfig s = folders_of(dir);
  CHECK_THROWS_AS(open_train_only(s), std::runtime_error);
  CHECK_THROWS_WITH(open_train_only(s), Catch::Contains("images") && Catch::Contains("directory not found"));
}

TEST_CASE("unknown format and bad options are configuration errors") {
  SourceConfig s;
  s.format = "coco";
  s.root = "anywhere";
  CHECK_THROWS_AS(open_train_only(s), std::invalid_argument);
  CHECK_THROWS_WITH(open_train_only(s, OnError::Skip),
                    Catch::Contains("data.train[0]") && Catch::Contains("unknown dataset format \"coco\"") &&
                        Catch::Contains("folders"));
  s.format = "folders";
  s.images = "a";
  s.masks = "b";
  s.mask_rule = "maybe";
  CHECK_THROWS_AS(open_train_only(s), std::invalid_argument);
  DataConfig none;
  CHECK_THROWS_AS(open_dataset(none), std::invalid_argument);
}

TEST_CASE("a broken supervisely annotation is rejected with its file") {
  ScratchDir dir("sly_bad");
  write_supervisely(dir.path(), 8);
  write_text(dir / "ds1/ann/00003.jpg.json", R"({"size": {"height": 48, "width": 64}, "objects": [)");
  SourceConfig s;
  s.format = "supervisely";
  s.root = dir.path().string();
  expect_rejected(s, "00003.jpg.json", "invalid annotation JSON");
}
