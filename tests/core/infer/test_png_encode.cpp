// encode_png (core/infer/png_encode.h) against an independent decoder, OpenCV's libpng (with zlib): every pixel
// comes back exactly for grey, BGR and BGRA pictures of odd sizes in both compressions, the header says what the
// picture is, a mask-like picture compresses to a fraction of its size, and other types are refused.
#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "core/infer/png_encode.h"

using namespace pseg;

namespace {

cv::Mat decode(const std::string& png) {
  return cv::imdecode(std::vector<unsigned char>(png.begin(), png.end()), cv::IMREAD_UNCHANGED);
}

uint32_t be32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(s[at + i]);
  return v;
}

}  // namespace

TEST_CASE("encode_png: grey, BGR and BGRA pictures decode back exactly", "[core][png_encode]") {
  for (const int channels : {1, 3, 4}) {
    for (const cv::Size size : {cv::Size(1, 1), cv::Size(37, 5), cv::Size(3, 64), cv::Size(301, 203)}) {
     for (const PngCompression compression : {PngCompression::Small, PngCompression::Fast}) {
      INFO(channels << " channel(s), " << size << (compression == PngCompression::Fast ? ", fast" : ", small"));
      cv::Mat picture(size, CV_8UC(channels));
      cv::randu(picture, 0, 256);
      // Some flat stretches too, for the runs.
      picture(cv::Rect(0, 0, (size.width + 1) / 2, (size.height + 1) / 2)).setTo(cv::Scalar::all(7));
      const std::string png = encode_png(picture, compression);
      REQUIRE(png.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)) == 0);
      CHECK(png.compare(12, 4, "IHDR") == 0);
      CHECK(be32(png, 16) == static_cast<uint32_t>(size.width));
      CHECK(be32(png, 20) == static_cast<uint32_t>(size.height));
      CHECK(static_cast<int>(png[24]) == 8);
      CHECK(static_cast<int>(png[25]) == (channels == 1 ? 0 : channels == 3 ? 2 : 6));
      CHECK(png.compare(png.size() - 8, 4, "IEND") == 0);
      const cv::Mat back = decode(png);
      REQUIRE(back.type() == picture.type());
      REQUIRE(back.size() == picture.size());
      CHECK(cv::norm(back, picture, cv::NORM_INF) == 0);
     }
    }
  }
  // A view into a larger image (rows not contiguous) encodes its own pixels.
  cv::Mat big(50, 80, CV_8UC3);
  cv::randu(big, 0, 256);
  const cv::Mat view = big(cv::Rect(7, 3, 41, 29));
  CHECK(cv::norm(decode(encode_png(view)), view, cv::NORM_INF) == 0);
  CHECK(cv::norm(decode(encode_png(view, PngCompression::Fast)), view, cv::NORM_INF) == 0);
}

TEST_CASE("encode_png: a mask compresses well, a cut-out's colours survive its alpha", "[core][png_encode]") {
  cv::Mat mask(896, 1152, CV_8UC1, cv::Scalar(0));
  cv::ellipse(mask, cv::Point(576, 500), cv::Size(300, 400), 0, 0, 360, cv::Scalar(255), -1);
  cv::GaussianBlur(mask, mask, cv::Size(9, 9), 0);
  const std::string png = encode_png(mask);
  CHECK(png.size() < mask.total() / 30);  // 24 kB: runs for the flat parts, short codes for the graded edge
  CHECK(cv::norm(decode(png), mask, cv::NORM_INF) == 0);

  cv::Mat cutout(60, 70, CV_8UC4);
  cv::randu(cutout, 0, 256);
  cutout(cv::Rect(0, 0, 70, 20)).setTo(cv::Scalar(1, 2, 3, 0));  // transparent, colour kept
  CHECK(cv::norm(decode(encode_png(cutout)), cutout, cv::NORM_INF) == 0);
  CHECK(cv::norm(decode(encode_png(cutout, PngCompression::Fast)), cutout, cv::NORM_INF) == 0);
}

TEST_CASE("encode_png: fast pictures are about as small, on a smooth photograph-like picture", "[core][png_encode]") {
  cv::Mat picture(240, 320, CV_8UC3);
  cv::randn(picture, cv::Scalar::all(128), cv::Scalar::all(40));
  cv::GaussianBlur(picture, picture, cv::Size(7, 7), 0);
  const std::string small = encode_png(picture), fast = encode_png(picture, PngCompression::Fast);
  CHECK(cv::norm(decode(fast), picture, cv::NORM_INF) == 0);
  CHECK(fast.size() < picture.total() * 3 * 6 / 10);  // Huffman codes alone still shrink SUB-filtered smooth rows
  CHECK(fast.size() < small.size() * 13 / 10);
}

TEST_CASE("png_compression_named: the two names, nothing else", "[core][png_encode]") {
  CHECK(png_compression_named("small") == PngCompression::Small);
  CHECK(png_compression_named("fast") == PngCompression::Fast);
  CHECK_FALSE(png_compression_named("Fast").has_value());
  CHECK_FALSE(png_compression_named("").has_value());
}

TEST_CASE("encode_png: refuses what PNG here does not hold", "[core][png_encode]") {
  CHECK_THROWS_AS(encode_png(cv::Mat()), std::invalid_argument);
  CHECK_THROWS_AS(encode_png(cv::Mat(4, 4, CV_16UC1)), std::invalid_argument);
  CHECK_THROWS_AS(encode_png(cv::Mat(4, 4, CV_8UC2)), std::invalid_argument);
  CHECK_THROWS_AS(encode_png(cv::Mat(4, 4, CV_32FC3)), std::invalid_argument);
}
