// Bad inputs found when a dataset is opened: strict mode stops with one line naming the file, skip mode
// skips the pair and reports why.
#include <catch2/catch.hpp>

#include <fstream>

#include "data/file_walk.h"
#include "data/image_io.h"
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
  write_text(dir / "images/00005.png", "this is not an image at all");
  expect_rejected(folders_of(dir), "00005.png", "not a PNG, JPEG, BMP, TIFF or WebP image");
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

TEST_CASE("a supervisely annotation larger than its image, or a bitmap that inflates past it, is refused") {
  ScratchDir dir("sly_limits");
  write_supervisely(dir.path(), 8);
  SourceConfig s;
  s.format = "supervisely";
  s.root = dir.path().string();
  // A size the image does not have is refused before a mask of that size is allocated (here 1.6e11 pixels).
  write_text(dir / "ds1/ann/00001.jpg.json", R"({"size": {"height": 400000, "width": 400000}, "objects": []})");
  expect_rejected(s, "00001.jpg.json", "annotation size 400000x400000 differs from the image's 64x48");

  // 64 MB of zeros deflate to 64 KB: inflating stops at what a bitmap of a 64x48 image can hold.
  const std::string zeros(64 << 20, '\0');
  const std::string bomb = supervisely_bitmap_bytes(std::vector<unsigned char>(zeros.begin(), zeros.end()));
  nlohmann::json ann = {{"size", {{"height", kFixtureHeight}, {"width", kFixtureWidth}}},
                        {"objects", {{{"classTitle", "person_bmp"}, {"bitmap", {{"data", bomb}, {"origin", {0, 0}}}}}}}};
  write_text(dir / "ds1/ann/00001.jpg.json", ann.dump());
  expect_rejected(s, "00001.jpg.json", "bitmap inflates to more than 80896 bytes");
}

TEST_CASE("images whose header claims more than the pixel limit are refused before decoding") {
  ScratchDir dir("bombs");
  write_folders(dir.path(), 8);
  // A valid 64x48 PNG whose IHDR is rewritten to 65535x65535 (with its CRC left stale: the size is read first).
  const auto png = dir / "images" / "00001.png";
  std::vector<unsigned char> bytes = read_file_bytes(png.string());
  REQUIRE(image_header_size(bytes) == cv::Size(64, 48));
  for (int i : {16, 17, 20, 21}) bytes[static_cast<size_t>(i)] = 0;
  for (int i : {18, 19, 22, 23}) bytes[static_cast<size_t>(i)] = 0xFF;
  std::ofstream(png, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(image_header_size(bytes) == cv::Size(65535, 65535));
  expect_rejected(folders_of(dir), "00001.png", "image of 65535x65535 pixels is larger than the limit of 134217728 pixels");

  // The header sizes of the other formats, as OpenCV writes them.
  for (const std::string ext : {".jpg", ".bmp", ".webp"}) {
    std::vector<unsigned char> encoded;
    REQUIRE(cv::imencode(ext, cv::Mat(37, 53, CV_8UC3, cv::Scalar(1, 2, 3)), encoded));
    CHECK(image_header_size(encoded) == cv::Size(53, 37));
  }
  CHECK_FALSE(image_header_size({'G', 'I', 'F', '8'}).has_value());
}

TEST_CASE("a list line too long to be a pair of paths is refused naming the file and line") {
  ScratchDir dir("long_line");
  write_text(dir / "list.txt", "images/a.jpg masks/a.png\n" + std::string(5000, 'x') + "\n");
  CHECK_THROWS_WITH(read_list_lines(dir / "list.txt"),
                    Catch::Contains("list.txt: line 2 is longer than 4096 characters"));
  write_text(dir / "ok.txt", "# comment\n\n  images/a.jpg masks/a.png \r\nimages/b.jpg masks/b.png");
  CHECK(read_list_lines(dir / "ok.txt") == std::vector<std::string>{"images/a.jpg masks/a.png", "images/b.jpg masks/b.png"});
}

TEST_CASE("only PNG, JPEG, BMP, TIFF and WebP files reach OpenCV's decoders") {
  // Found by tests/fuzz/fuzz_image.cpp: a broken PNG signature with "DICM" at byte 128 went to OpenCV's DICOM
  // decoder, whose GDCM library aborts the process on the malformed header.
  const std::string found = source_path("tests/fuzz/corpus/image/regression-dicom-header");
  CHECK_THROWS_WITH(read_image(found, cv::IMREAD_COLOR), Catch::Contains(found) && Catch::Contains("not a PNG, JPEG, BMP, TIFF or WebP image"));
  for (const std::string ext : {".png", ".jpg", ".bmp", ".tiff", ".webp"}) {
    std::vector<unsigned char> encoded;
    REQUIRE(cv::imencode(ext, cv::Mat(5, 7, CV_8UC3, cv::Scalar(1, 2, 3)), encoded));
    CHECK(is_supported_image(encoded));
    CHECK(decode_image(encoded, cv::IMREAD_COLOR, "x" + ext).size() == cv::Size(7, 5));
  }
  std::vector<unsigned char> pgm;
  REQUIRE(cv::imencode(".pgm", cv::Mat(5, 7, CV_8UC1, cv::Scalar(9)), pgm));
  CHECK_THROWS_WITH(decode_image(pgm, cv::IMREAD_COLOR, "x.pgm"), Catch::Contains("x.pgm: not a PNG"));
}
