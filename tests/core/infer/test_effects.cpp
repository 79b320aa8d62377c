// Background effects on synthetic masks: the feathered alpha, the RGBA cut-out, replace/blur keeping the person's
// pixels where alpha is 1, colour parsing, fill-and-crop of background photos, and the harmonisation filters.
#include <catch2/catch.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/infer/effects.h"
#include "core/infer/harmonize.h"
#include "tests/test_support.h"

using namespace pseg;

namespace {

// A soft disc: probability 1 inside radius r0, falling linearly to 0 at r1, like an upsampled net output.
cv::Mat soft_disc(cv::Size size, double r0, double r1) {
  cv::Mat p(size, CV_32FC1);
  const cv::Point2d c(size.width / 2.0, size.height / 2.0);
  for (int y = 0; y < size.height; ++y)
    for (int x = 0; x < size.width; ++x) {
      const double d = std::hypot(x + 0.5 - c.x, y + 0.5 - c.y);
      p.at<float>(y, x) = static_cast<float>(std::clamp((r1 - d) / (r1 - r0), 0.0, 1.0));
    }
  return p;
}

cv::Mat noise_image(cv::Size size, int seed) {
  cv::Mat img(size, CV_8UC3);
  cv::theRNG().state = seed;
  cv::randu(img, cv::Scalar::all(0), cv::Scalar::all(256));
  return img;
}

int differing_pixels(const cv::Mat& a, const cv::Mat& b, const cv::Mat& where) {
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  cv::Mat any = diff.reshape(1, static_cast<int>(diff.total())).clone();
  cv::reduce(any, any, 1, cv::REDUCE_MAX);
  any = any.reshape(1, a.rows);
  return cv::countNonZero(any & where);
}

}  // namespace

TEST_CASE("feathered alpha: smooth ramp around the threshold, exact 0 and 1 away from the edge", "[core][effects]") {
  const cv::Mat p = soft_disc({96, 80}, 20, 26);
  FeatherOptions o;
  o.threshold = 0.5f;
  o.feather_px = 3;
  const cv::Mat a = feathered_alpha(p, o);
  REQUIRE(a.type() == CV_32FC1);
  REQUIRE(a.size() == p.size());
  double lo, hi;
  cv::minMaxLoc(a, &lo, &hi);
  CHECK(lo == 0.0);
  CHECK(hi == 1.0);
  CHECK(a.at<float>(40, 48) == 1.f);  // centre
  CHECK(a.at<float>(0, 0) == 0.f);    // corner
  // The edge is a gradual ramp with intermediate values, not a two-level staircase.
  const int partial = cv::countNonZero((a > 0.05f) & (a < 0.95f));
  CHECK(partial > 50);
  // Monotone along a ray from the centre outwards.
  for (int x = 49; x < 96; ++x) CHECK(a.at<float>(40, x) <= a.at<float>(40, x - 1) + 1e-6f);
  // At feather 0 alpha is the smoothstep of the raw probability over threshold -/+ kAlphaBand.
  o.feather_px = 0;
  const cv::Mat a0 = feathered_alpha(p, o);
  for (int x = 48; x < 96; ++x) {
    const float v = p.at<float>(40, x);
    const float t = std::clamp((v - (0.5f - kAlphaBand)) / (2 * kAlphaBand), 0.f, 1.f);
    CHECK(a0.at<float>(40, x) == Approx(t * t * (3 - 2 * t)).margin(1e-6));
    if (v >= 0.5f + kAlphaBand) CHECK(a0.at<float>(40, x) == 1.f);
    if (v <= 0.5f - kAlphaBand) CHECK(a0.at<float>(40, x) == 0.f);
  }
  // A higher threshold shrinks the person.
  o.threshold = 0.8f;
  CHECK(cv::sum(feathered_alpha(p, o))[0] < cv::sum(a0)[0]);
}

TEST_CASE("feathered alpha leaves the probability it is given untouched", "[core][effects]") {
  // It once blurred the caller's buffer in place: a mask written after the alpha (or a video's smoothing state)
  // came out feathered.
  const cv::Mat p = soft_disc({48, 40}, 8, 14);
  const cv::Mat before = p.clone();
  FeatherOptions o;
  o.feather_px = 5;
  const cv::Mat alpha = feathered_alpha(p, o);
  CHECK(cv::norm(p, before, cv::NORM_INF) == 0);
  CHECK(alpha.data != p.data);
}

TEST_CASE("feathered alpha: bad inputs are refused", "[core][effects]") {
  const cv::Mat p = soft_disc({16, 16}, 4, 6);
  FeatherOptions o;
  o.threshold = 1.f;
  CHECK_THROWS_AS(feathered_alpha(p, o), std::invalid_argument);
  o.threshold = 0.f;
  CHECK_THROWS_AS(feathered_alpha(p, o), std::invalid_argument);
  o.threshold = 0.5f;
  o.feather_px = -1;
  CHECK_THROWS_AS(feathered_alpha(p, o), std::invalid_argument);
  o.feather_px = 1;
  cv::Mat u8(16, 16, CV_8UC1, cv::Scalar(1));
  CHECK_THROWS_AS(feathered_alpha(u8, o), std::invalid_argument);
}

TEST_CASE("cut-out: colour untouched, alpha channel equals the feathered mask", "[core][effects]") {
  const cv::Size size(64, 48);
  const cv::Mat img = noise_image(size, 1);
  const cv::Mat a = feathered_alpha(soft_disc(size, 12, 18), FeatherOptions{});
  const cv::Mat rgba = cutout_rgba(img, a);
  REQUIRE(rgba.type() == CV_8UC4);
  std::vector<cv::Mat> planes;
  cv::split(rgba, planes);
  cv::Mat bgr;
  cv::merge(std::vector<cv::Mat>(planes.begin(), planes.begin() + 3), bgr);
  CHECK(cv::norm(bgr, img, cv::NORM_INF) == 0);
  CHECK(cv::norm(planes[3], to_mask8(a), cv::NORM_INF) == 0);
  cv::Mat a_back;
  planes[3].convertTo(a_back, CV_32F, 1.0 / 255);
  CHECK(cv::norm(a_back, a, cv::NORM_INF) <= 0.5 / 255 + 1e-6);
  // And through a PNG file, as `test` writes it.
  test::ScratchDir dir("effects_png");
  const std::string path = (dir / "cut.png").string();
  REQUIRE(cv::imwrite(path, rgba));
  const cv::Mat read = cv::imread(path, cv::IMREAD_UNCHANGED);
  REQUIRE(read.type() == CV_8UC4);
  CHECK(cv::norm(read, rgba, cv::NORM_INF) == 0);
}

TEST_CASE("cut-out of a view: the view's own pixels", "[core][effects]") {
  const cv::Mat big = noise_image(cv::Size(80, 60), 3);
  const cv::Mat view = big(cv::Rect(5, 7, 41, 29));
  const cv::Mat a(view.size(), CV_32FC1, cv::Scalar(0.5));
  const cv::Mat rgba = cutout_rgba(view, a);
  cv::Mat expected;
  cv::cvtColor(view, expected, cv::COLOR_BGR2BGRA);
  std::vector<cv::Mat> planes;
  cv::split(expected, planes);
  planes[3].setTo(128);  // round(255 * 0.5)
  cv::merge(planes, expected);
  CHECK(cv::norm(rgba, expected, cv::NORM_INF) == 0);
}

TEST_CASE("foreground fraction: pixels strictly above the threshold, by hand", "[core][effects]") {
  const cv::Mat p = (cv::Mat_<float>(3, 4) << 0.1f, 0.5f, 0.51f, 0.9f,  //
                     1.0f, 0.0f, 0.49f, 0.5f,                          //
                     0.7f, 0.6f, 0.2f, 0.3f);
  CHECK(foreground_fraction(p, 0.5f) == Approx(5.0 / 12));
  CHECK(foreground_fraction(p, 0.05f) == Approx(11.0 / 12));  // all but the 0
  CHECK(foreground_fraction(p(cv::Rect(2, 0, 2, 2)), 0.5f) == Approx(2.0 / 4));  // a view
  CHECK_THROWS_AS(foreground_fraction(cv::Mat(), 0.5f), std::invalid_argument);
  CHECK_THROWS_AS(foreground_fraction(cv::Mat(2, 2, CV_8UC1, cv::Scalar(200)), 0.5f), std::invalid_argument);
}

TEST_CASE("replace and blur leave the person's pixels unchanged where alpha is 1", "[core][effects]") {
  const cv::Size size(80, 60);
  const cv::Mat img = noise_image(size, 2);
  const cv::Mat a = feathered_alpha(soft_disc(size, 15, 22), FeatherOptions{});
  const cv::Mat inside = a == 1.f;
  const cv::Mat outside = a == 0.f;
  REQUIRE(cv::countNonZero(inside) > 200);

  const cv::Mat bg(size, CV_8UC3, cv::Scalar(10, 200, 30));
  const cv::Mat replaced = blend_over(img, a, bg);
  CHECK(differing_pixels(replaced, img, inside) == 0);
  CHECK(differing_pixels(replaced, bg, outside) == 0);
  // In between, the blend lies between the two images.
  const cv::Mat lo = cv::min(img, bg), hi = cv::max(img, bg);
  const cv::Mat beyond = (replaced < lo - cv::Scalar::all(1)) | (replaced > hi + cv::Scalar::all(1));
  CHECK(cv::countNonZero(beyond.reshape(1)) == 0);

  const cv::Mat bokeh = bokeh_background(img, a);
  const cv::Mat blurred = blend_over(img, a, bokeh);
  CHECK(differing_pixels(blurred, img, inside) == 0);
  // The background really is blurred: far less pixel-to-pixel variation than the noise it came from.
  cv::Mat gx_img, gx_blur;
  cv::Sobel(img, gx_img, CV_32F, 1, 0);
  cv::Sobel(blurred, gx_blur, CV_32F, 1, 0);
  CHECK(cv::mean(cv::abs(gx_blur), outside)[0] < 0.2 * cv::mean(cv::abs(gx_img), outside)[0]);

  CHECK(differing_pixels(replace_background(img, a, bg, Harmonize::None), img, inside) == 0);
}

TEST_CASE("bokeh: the person's colour does not bleed into the blurred background", "[core][effects]") {
  // The small frame is blurred at full resolution, the large one at a reduced one.
  for (const cv::Size size : {cv::Size(80, 60), cv::Size(640, 400)}) {
    INFO(size);
    const double r = size.height / 4.0;
    cv::Mat img(size, CV_8UC3, cv::Scalar(0, 0, 0));
    const cv::Mat a = feathered_alpha(soft_disc(size, r, r + 3), FeatherOptions{});
    img.setTo(cv::Scalar(255, 255, 255), a == 1.f);  // white person on black
    const double sigma = std::max(2.0, 0.012 * size.width);
    // The ring just outside the person, where a halo would show.
    const int reach = 2 * static_cast<int>(std::ceil(3 * sigma)) + 1;
    cv::Mat ring;
    cv::dilate(a > 0.f, ring, cv::getStructuringElement(cv::MORPH_ELLIPSE, {reach, reach}));
    ring &= (a == 0.f);
    const cv::Mat bokeh = bokeh_background(img, a);
    REQUIRE(bokeh.size() == size);
    CHECK(cv::mean(bokeh, ring)[0] < 2);
    cv::Mat plain;  // what a plain blur of the same strength does
    cv::GaussianBlur(img, plain, cv::Size(), sigma, sigma);
    CHECK(cv::mean(plain, ring)[0] > 10);
  }
}

TEST_CASE("background colours: #RRGGBB parsed to BGR, anything else refused", "[core][effects]") {
  CHECK(parse_hex_colour("#FF8000") == cv::Scalar(0, 128, 255));
  CHECK(parse_hex_colour("#0a0B0c") == cv::Scalar(12, 11, 10));
  for (const char* bad : {"FF8000", "#FF800", "#FF80001", "#GG0000", "#", ""})
    CHECK_THROWS_AS(parse_hex_colour(bad), std::invalid_argument);
  const Background b = Background::parse("#102030");
  const cv::Mat m = b.at({7, 5});
  REQUIRE(m.size() == cv::Size(7, 5));
  CHECK(m.at<cv::Vec3b>(4, 6) == cv::Vec3b(0x30, 0x20, 0x10));
  CHECK_THROWS_AS(Background::parse("#12345"), std::invalid_argument);
  CHECK_THROWS_AS(Background::parse("no/such/background.jpg"), std::runtime_error);
}

TEST_CASE("background photos are scaled to cover and centre-cropped", "[core][effects]") {
  // A wide image: left third red, middle green, right third blue.
  cv::Mat wide(10, 30, CV_8UC3);
  wide.colRange(0, 10).setTo(cv::Scalar(0, 0, 255));
  wide.colRange(10, 20).setTo(cv::Scalar(0, 255, 0));
  wide.colRange(20, 30).setTo(cv::Scalar(255, 0, 0));
  // Into a square: the height fills, the centre (green) stays, the sides are cropped.
  const cv::Mat sq = fill_crop(wide, {20, 20});
  REQUIRE(sq.size() == cv::Size(20, 20));
  CHECK(sq.at<cv::Vec3b>(10, 10) == cv::Vec3b(0, 255, 0));
  CHECK(sq.at<cv::Vec3b>(10, 0)[2] < 200);  // the red third is mostly cropped off
  // Into a wider frame: scaled to the width, no bars (every pixel comes from the image).
  const cv::Mat w = fill_crop(wide, {90, 10});
  REQUIRE(w.size() == cv::Size(90, 10));
  CHECK(w.at<cv::Vec3b>(5, 2) == cv::Vec3b(0, 0, 255));
  CHECK(w.at<cv::Vec3b>(5, 87) == cv::Vec3b(255, 0, 0));
  // Background::image uses the same fill.
  CHECK(cv::norm(Background::image(wide).at({20, 20}), sq, cv::NORM_INF) == 0);
}

TEST_CASE("harmonisation: LAB transfer moves the person's colour statistics to the background's",
          "[core][effects]") {
  const cv::Size size(64, 64);
  cv::Mat img(size, CV_8UC3, cv::Scalar(40, 40, 40));
  const cv::Mat a = feathered_alpha(soft_disc(size, 14, 18), FeatherOptions{});
  cv::Mat person = noise_image(size, 3) / 4 + cv::Scalar(150, 60, 60);  // bluish person
  person.copyTo(img, a > 0.5f);
  const cv::Mat bg = noise_image(size, 4) / 4 + cv::Scalar(30, 90, 170);  // warm background

  const cv::Mat out = lab_color_transfer(img, a, bg);
  const cv::Mat mask = a > 0.5f;
  cv::Mat lab_out, lab_bg;
  cv::cvtColor(out, lab_out, cv::COLOR_BGR2Lab);
  cv::cvtColor(bg, lab_bg, cv::COLOR_BGR2Lab);
  const cv::Scalar m_out = cv::mean(lab_out, mask), m_bg = cv::mean(lab_bg);
  for (int c = 0; c < 3; ++c) CHECK(std::abs(m_out[c] - m_bg[c]) < 4);
  CHECK(differing_pixels(out, img, ~mask) == 0);  // outside the person nothing changes
  CHECK(parse_harmonize("color") == Harmonize::ColorTransfer);
  CHECK(parse_harmonize("seamless") == Harmonize::SeamlessClone);
  CHECK(parse_harmonize("none") == Harmonize::None);
  CHECK_THROWS_AS(parse_harmonize("poisson"), std::invalid_argument);
}

TEST_CASE("harmonisation: seamless clone keeps the person in place, even touching the frame edge",
          "[core][effects]") {
  const cv::Size size(64, 48);
  const cv::Mat img = noise_image(size, 5);
  cv::Mat p(size, CV_32FC1, cv::Scalar(0));
  p(cv::Rect(16, 10, 30, 38)).setTo(1.f);  // reaches the bottom edge, like a portrait
  const cv::Mat a = feathered_alpha(p, FeatherOptions{0.5f, 0});
  // Cloning an image into itself must give (about) the image back: the clone is aligned, not shifted.
  const cv::Mat same = seamless_composite(img, a, img);
  REQUIRE(same.size() == size);
  cv::Mat diff;
  cv::absdiff(same, img, diff);
  CHECK(cv::mean(diff, a > 0.5f)[0] < 3);
  // Into a flat background the person's texture survives.
  const cv::Mat flat(size, CV_8UC3, cv::Scalar(90, 120, 60));
  const cv::Mat out = replace_background(img, a, flat, Harmonize::SeamlessClone);
  cv::Mat out_dev, img_dev, m1, m2;
  cv::meanStdDev(out, m1, out_dev, a > 0.5f);
  cv::meanStdDev(img, m2, img_dev, a > 0.5f);
  CHECK(out_dev.at<double>(0) > 0.5 * img_dev.at<double>(0));
  CHECK(differing_pixels(out, flat, a == 0.f) == 0);  // outside the person the background is untouched
}
