// resize_area (core/infer/area_resize.h) against its oracle, cv::resize with INTER_AREA: the same pixels, bit for
// bit, for every channel count, fractional and whole factors, one-pixel outputs, regions of larger images, saturated
// values and the photo-to-net sizes `test` meets; and which cases it computes itself.
#include <catch2/catch.hpp>

#include <opencv2/imgproc.hpp>

#include <random>

#include "core/infer/area_resize.h"

using namespace pseg;

namespace {

cv::Mat random_image(cv::Size size, int channels, std::mt19937& rng) {
  cv::Mat m(size, CV_8UC(channels));
  for (int y = 0; y < m.rows; ++y) {
    unsigned char* row = m.ptr<unsigned char>(y);
    for (int x = 0; x < m.cols * channels; ++x) row[x] = static_cast<unsigned char>(rng());
  }
  return m;
}

void check_same_as_opencv(const cv::Mat& src, cv::Size to) {
  INFO(src.cols << "x" << src.rows << "x" << src.channels() << " to " << to.width << "x" << to.height);
  cv::Mat expected;
  cv::resize(src, expected, to, 0, 0, cv::INTER_AREA);
  const cv::Mat got = resize_area(src, to);
  REQUIRE(got.size() == expected.size());
  REQUIRE(got.type() == expected.type());
  CHECK(cv::norm(got, expected, cv::NORM_INF) == 0);
}

}  // namespace

TEST_CASE("resize_area: the pixels of cv::resize INTER_AREA for random sizes and channels", "[core][area_resize]") {
  std::mt19937 rng(3);
  for (int t = 0; t < 300; ++t) {
    const cv::Size from(1 + static_cast<int>(rng() % 160), 1 + static_cast<int>(rng() % 160));
    const cv::Size to(1 + static_cast<int>(rng() % from.width), 1 + static_cast<int>(rng() % from.height));
    check_same_as_opencv(random_image(from, 1 + static_cast<int>(rng() % 4), rng), to);
  }
}

TEST_CASE("resize_area: photo-to-net sizes, regions, extremes", "[core][area_resize]") {
  std::mt19937 rng(5);
  const cv::Mat photo = random_image({1152, 896}, 3, rng);
  for (const cv::Size to : {cv::Size(513, 513), cv::Size(512, 512), cv::Size(256, 256), cv::Size(224, 224),
                            cv::Size(576, 448), cv::Size(1, 1), cv::Size(1152, 895), cv::Size(3, 896)}) {
    check_same_as_opencv(photo, to);
  }
  // A region of a larger image (rows not contiguous), and its copy.
  const cv::Mat region = photo(cv::Rect(37, 11, 700, 501));
  check_same_as_opencv(region, {299, 211});
  check_same_as_opencv(region.clone(), {299, 211});
  // Saturated input: the sums reach 255 and must not wrap.
  check_same_as_opencv(cv::Mat(301, 257, CV_8UC4, cv::Scalar::all(255)), {100, 77});
  // Many source rows or columns to one output pixel, on either axis.
  check_same_as_opencv(random_image({50, 3000}, 1, rng), {7, 10});
  check_same_as_opencv(random_image({3000, 50}, 4, rng), {10, 7});
  // The reduced JPEG of a portrait padded to a square, to PortraitNet's input.
  check_same_as_opencv(random_image({288, 288}, 3, rng), {224, 224});
}

TEST_CASE("resize_area_is_own: fractional 8-bit shrinks only", "[core][area_resize]") {
  const cv::Mat bgr(896, 1152, CV_8UC3), grey(896, 1152, CV_8UC1);
  CHECK(resize_area_is_own(bgr, {513, 513}));
  CHECK(resize_area_is_own(grey, {1152, 895}));  // one axis kept, the other shrunk by a fraction
  CHECK_FALSE(resize_area_is_own(bgr, {576, 448}));   // whole factors: OpenCV's fast path
  CHECK_FALSE(resize_area_is_own(bgr, {1152, 896}));  // no resize
  CHECK_FALSE(resize_area_is_own(bgr, {2000, 500}));  // an enlargement on one axis
  CHECK_FALSE(resize_area_is_own(cv::Mat(896, 1152, CV_32FC3), {513, 513}));
  CHECK_FALSE(resize_area_is_own(cv::Mat(896, 1152, CV_8UC(5)), {513, 513}));
  CHECK_FALSE(resize_area_is_own(cv::Mat(), {513, 513}));
  // Whatever computes them, the pixels are OpenCV's, including a float image and an enlargement.
  std::mt19937 rng(7);
  cv::Mat f(40, 50, CV_32FC3);
  cv::randu(f, 0, 1);
  cv::Mat expected;
  cv::resize(f, expected, {17, 13}, 0, 0, cv::INTER_AREA);
  CHECK(cv::norm(resize_area(f, {17, 13}), expected, cv::NORM_INF) == 0);
  check_same_as_opencv(random_image({50, 40}, 3, rng), {120, 20});
}
