// Geometric, photometric, boundary, mask-target and prior transforms: alignment, ranges, hand-computed values.
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "data/boundary.h"
#include "data/geometric.h"
#include "data/mask_target.h"
#include "data/photometric.h"
#include "data/prior.h"
#include "data/resize.h"
#include "tests/test_support.h"

using namespace pseg;

namespace {

// A grey image with a bright 7x7 block at (x, y) marked identically in label, soft and prior.
Planes marked(cv::Size size, int x, int y) {
  Planes p;
  p.image = cv::Mat(size, CV_8UC3, cv::Scalar::all(20));
  p.label = cv::Mat::zeros(size, CV_8UC1);
  p.soft = cv::Mat::zeros(size, CV_32FC1);
  p.prior = cv::Mat::zeros(size, CV_32FC1);
  const cv::Rect r(x, y, 7, 7);
  p.image(r).setTo(cv::Scalar::all(220));
  p.label(r).setTo(1);
  p.soft(r).setTo(1.f);
  p.prior(r).setTo(1.f);
  return p;
}

cv::Point2d centroid(const cv::Mat& m) {
  const cv::Moments mo = cv::moments(m);
  REQUIRE(mo.m00 > 0);
  return {mo.m10 / mo.m00, mo.m01 / mo.m00};
}

// Bright area of the image, label, soft and prior all lie at the same place.
void require_aligned(const Planes& p, double tol = 1.0) {
  cv::Mat grey;
  cv::cvtColor(p.image, grey, cv::COLOR_BGR2GRAY);
  const cv::Point2d ci = centroid(grey > 180);  // above the 128 border fill
  const cv::Point2d cl = centroid(p.label == 1);
  const cv::Point2d cs = centroid(p.soft > 0.5f);
  const cv::Point2d cp = centroid(p.prior > 0.5f);
  for (const auto& c : {cl, cs, cp}) {
    CHECK(std::abs(c.x - ci.x) <= tol);
    CHECK(std::abs(c.y - ci.y) <= tol);
  }
}

cv::Point2d apply(const cv::Mat& m, cv::Point2d p) {
  return {m.at<double>(0, 0) * p.x + m.at<double>(0, 1) * p.y + m.at<double>(0, 2),
          m.at<double>(1, 0) * p.x + m.at<double>(1, 1) * p.y + m.at<double>(1, 2)};
}

cv::Mat rgb1(uint8_t r, uint8_t g, uint8_t b) { return cv::Mat(1, 1, CV_8UC3, cv::Scalar(r, g, b)); }

}  // namespace

TEST_CASE("PortraitNet warp moves image, label, soft and prior together") {
  Rng rng(7);
  for (int i = 0; i < 10; ++i) {
    Planes p = marked({90, 120}, 40, 50);
    const cv::Mat m = draw_portraitnet_matrix(p.image.size(), {64, 64}, AffineAugment{}, rng);
    warp_portraitnet(p, m, {64, 64});
    if (cv::countNonZero(p.label == 1) < 4) continue;  // block moved off the canvas
    require_aligned(p, 1.5);
    const cv::Point2d expected = apply(m, {43, 53});
    const cv::Point2d got = centroid(p.label == 1);
    CHECK(std::abs(got.x - expected.x) <= 1.5);
    CHECK(std::abs(got.y - expected.y) <= 1.5);
  }
}

TEST_CASE("PortraitNet matrix stays within the configured rotation, scale and offset ranges") {
  Rng rng(1);
  const cv::Size src(600, 800), canvas(224, 224);
  const double fit = (224.0 / 599 + 224.0 / 799) / 2;
  double min_angle = 1e9, max_angle = -1e9;
  for (int i = 0; i < 500; ++i) {
    const cv::Mat m = draw_portraitnet_matrix(src, canvas, AffineAugment{}, rng);
    const double angle = std::atan2(m.at<double>(0, 1), m.at<double>(0, 0)) * 180 / M_PI;
    const double scale = std::hypot(m.at<double>(0, 0), m.at<double>(0, 1)) / fit;
    REQUIRE(std::abs(angle) <= 45.0 + 1e-9);
    REQUIRE(scale >= 0.5 - 1e-9);
    REQUIRE(scale <= 1.5 + 1e-9);
    min_angle = std::min(min_angle, angle);
    max_angle = std::max(max_angle, angle);
    // The image centre lands at c + A (canvas centre - c); solve for the rotation centre c.
    const cv::Point2d q = apply(m, {299.5, 399.5});
    const cv::Matx22d a(m.at<double>(0, 0), m.at<double>(0, 1), m.at<double>(1, 0), m.at<double>(1, 1));
    const cv::Vec2d rhs = cv::Vec2d(q.x, q.y) - a * cv::Vec2d(112, 112);
    const cv::Vec2d c = (cv::Matx22d::eye() - a).inv() * rhs;
    REQUIRE(std::abs(c[0] - 112) <= 56 + 1e-6);
    REQUIRE(std::abs(c[1] - 112) <= 56 + 1e-6);
  }
  CHECK(min_angle < -35);
  CHECK(max_angle > 35);
}

TEST_CASE("PortraitNet matrix without rotation or offset fits the image centre to the canvas centre") {
  const cv::Mat m = portraitnet_matrix({101, 201}, {50, 50}, 0.0, 1.0, 0.0, 0.0);
  const cv::Point2d c = apply(m, {50, 100});
  CHECK(c.x == Approx(25.0));
  CHECK(c.y == Approx(25.0));
  CHECK(m.at<double>(0, 0) == Approx((50.0 / 100 + 50.0 / 200) / 2));
}

TEST_CASE("Keras shift/zoom matrix follows the inverse-map formula and keeps planes aligned") {
  const cv::Mat id = keras_matrix({32, 32}, 0, 0, 1, 1);
  CHECK(cv::norm(id - (cv::Mat_<double>(2, 3) << 1, 0, 0, 0, 1, 0)) < 1e-12);
  // tx = +2 rows: output row r shows source row r + 2, so content moves up by 2.
  Planes p = marked({40, 40}, 10, 20);
  warp_keras(p, keras_matrix({40, 40}, 2, 0, 1, 1), false);
  CHECK(centroid(p.label == 1).y == Approx(21.0));
  CHECK(centroid(p.label == 1).x == Approx(13.0));

  Rng rng(3);
  for (int i = 0; i < 10; ++i) {
    Planes q = marked({48, 48}, 18, 20);
    warp_keras(q, draw_keras_matrix(q.image.size(), KerasAugment{0.2, 0.2, false}, rng), false);
    require_aligned(q);
  }
}

TEST_CASE("Keras soft mask: bilinear person map in soft, label = soft >= 0.5, ignore kept") {
  Planes p = marked({40, 40}, 10, 10);
  p.soft.release();
  p.label.at<uint8_t>(30, 30) = 255;
  warp_keras(p, keras_matrix({40, 40}, 0.5, 0.5, 1, 1), true);
  REQUIRE(p.soft.type() == CV_32FC1);
  CHECK(p.soft.at<float>(9, 9) == Approx(0.25f));  // corner pixel half in x and y
  cv::Mat expect = cv::Mat::zeros(p.label.size(), CV_8UC1);
  expect.setTo(1, p.soft >= 0.5f);
  expect.setTo(255, p.label == 255);
  CHECK(cv::countNonZero(p.label != expect) == 0);
  CHECK(cv::countNonZero(p.label == 255) == 1);
}

TEST_CASE("crop and flip act identically on all planes") {
  Rng rng(5);
  Planes p = marked({50, 40}, 30, 12);
  const cv::Rect r = draw_crop(p.image.size(), 0.8, rng);
  CHECK(r.width == 40);
  CHECK(r.height == 32);
  crop(p, r);
  hflip(p);
  require_aligned(p, 0.01);
  CHECK(centroid(p.label == 1).x == Approx(r.width - 1 - (33 - r.x)));
}

TEST_CASE("pad_to_square centres the image and fills with the pad value") {
  Planes p = marked({30, 60}, 5, 5);  // 30 wide, 60 high
  pad_to_square(p, 128);
  REQUIRE(p.image.size() == cv::Size(60, 60));
  CHECK(p.image.at<cv::Vec3b>(0, 0)[0] == 128);
  CHECK(p.image.at<cv::Vec3b>(0, 15)[0] == 20);
  CHECK(p.label.at<uint8_t>(8, 23) == 1);
  require_aligned(p, 0.01);
}

TEST_CASE("PIL ImageEnhance semantics on tiny images") {
  const cv::Mat px = rgb1(200, 100, 50);  // L = 124.2 -> 124
  CHECK(enhance_color(px, 0.0).at<cv::Vec3b>(0, 0) == cv::Vec3b(124, 124, 124));
  CHECK(enhance_color(px, 2.0).at<cv::Vec3b>(0, 0) == cv::Vec3b(255, 76, 0));
  CHECK(enhance_color(px, 1.0).at<cv::Vec3b>(0, 0) == cv::Vec3b(200, 100, 50));
  CHECK(enhance_brightness(rgb1(100, 50, 4), 0.5).at<cv::Vec3b>(0, 0) == cv::Vec3b(50, 25, 2));

  cv::Mat two(1, 2, CV_8UC3, cv::Scalar::all(0));
  two.at<cv::Vec3b>(0, 1) = cv::Vec3b(200, 200, 200);  // mean luma 100
  const cv::Mat c = enhance_contrast(two, 0.5);
  CHECK(c.at<cv::Vec3b>(0, 0) == cv::Vec3b(50, 50, 50));
  CHECK(c.at<cv::Vec3b>(0, 1) == cv::Vec3b(150, 150, 150));

  cv::Mat spot(3, 3, CV_8UC3, cv::Scalar::all(0));
  spot.at<cv::Vec3b>(1, 1) = cv::Vec3b(130, 130, 130);  // smoothed centre = 5·130/13 = 50
  CHECK(enhance_sharpness(spot, 0.0).at<cv::Vec3b>(1, 1) == cv::Vec3b(50, 50, 50));
  const cv::Mat sharp = enhance_sharpness(spot, 2.0);
  CHECK(sharp.at<cv::Vec3b>(1, 1) == cv::Vec3b(210, 210, 210));
  CHECK(sharp.at<cv::Vec3b>(0, 0) == cv::Vec3b(0, 0, 0));  // border keeps the original
}

TEST_CASE("motion blur kernel: rotated normalised diagonal") {
  const cv::Mat k = motion_blur_kernel(7, 0);
  REQUIRE(k.size() == cv::Size(7, 7));
  for (int i = 0; i < 7; ++i) CHECK(k.at<float>(i, i) == Approx(1.0f / 7));
  CHECK(cv::sum(k)[0] == Approx(1.0));
  const cv::Mat r = motion_blur_kernel(9, 45);  // the diagonal turns horizontal or vertical: corners empty
  CHECK(r.at<float>(0, 0) < 0.02f);
  CHECK(r.at<float>(8, 8) < 0.02f);
}

TEST_CASE("texture augmentation: identity at probability 0, bounded and reproducible otherwise") {
  cv::Mat img(16, 16, CV_8UC3);
  cv::randu(img, 0, 255);
  Rng rng(1);
  TextureAugment off{0, 0, 0, 10};
  cv::Mat same = texture_augment(img, off, rng), img_f;
  img.convertTo(img_f, CV_32F);
  CHECK(cv::norm(same - img_f) == 0.0);
  TextureAugment on{1, 1, 1, 10};
  Rng a(9), b(9);
  const cv::Mat x = texture_augment(img, on, a), y = texture_augment(img, on, b);
  CHECK(cv::norm(x - y) == 0.0);
  double lo, hi;
  cv::minMaxLoc(x.reshape(1), &lo, &hi);
  CHECK(lo >= 0.0);
  CHECK(hi <= 255.0);
  CHECK(cv::norm(x - img_f, cv::NORM_L1) / static_cast<double>(img.total() * 3) > 1.0);  // not the identity
}

TEST_CASE("texture augmentation: each stage changes the image the way it should") {
  cv::Mat img(32, 32, CV_8UC3);
  cv::randu(img, 40, 215);
  cv::Mat img_f;
  img.convertTo(img_f, CV_32F);
  cv::Scalar mean_in, std_in;
  cv::meanStdDev(img_f.reshape(1), mean_in, std_in);
  SECTION("blur lowers the spread of a noise image") {
    for (uint64_t seed = 0; seed < 5; ++seed) {
      Rng rng(seed);
      const cv::Mat out = texture_augment(img, TextureAugment{0, 1, 0, 10}, rng);
      cv::Scalar mean_out, std_out;
      cv::meanStdDev(out.reshape(1), mean_out, std_out);
      CHECK(std_out[0] < 0.8 * std_in[0]);
      CHECK(mean_out[0] == Approx(mean_in[0]).margin(3));
    }
  }
  SECTION("noise adds zero-mean deviations of at most sigma_max scale") {
    double largest = 0;
    for (uint64_t seed = 0; seed < 5; ++seed) {
      Rng rng(seed);
      const cv::Mat diff = texture_augment(img, TextureAugment{0, 0, 1, 10}, rng) - img_f;
      cv::Scalar m, s;
      cv::meanStdDev(diff.reshape(1), m, s);
      CHECK(std::abs(m[0]) < 1.5);
      CHECK(s[0] <= 10.5);
      largest = std::max(largest, s[0]);
    }
    CHECK(largest > 1.0);
  }
  SECTION("enhancement draws factors that change the image") {
    int changed = 0;
    for (uint64_t seed = 0; seed < 5; ++seed) {
      Rng rng(seed);
      changed += cv::norm(texture_augment(img, TextureAugment{1, 0, 0, 10}, rng) - img_f, cv::NORM_INF) > 0;
    }
    CHECK(changed >= 4);
  }
}

TEST_CASE("Slim colour: brightness shifts every channel by one delta within range") {
  cv::Mat img(8, 8, CV_8UC3, cv::Scalar(100, 120, 140));
  SlimAugment s;
  s.brightness_prob = 1;
  s.contrast_prob = s.saturation_prob = 0;
  Rng rng(2);
  cv::Mat out = img.clone();
  slim_color(out, s, rng);
  cv::Mat diff;
  cv::subtract(out, img, diff, cv::noArray(), CV_32S);
  const cv::Scalar d = cv::mean(diff);
  CHECK(std::abs(d[0]) <= 25.5 + 1);
  CHECK(d[0] == Approx(d[1]).margin(1));
  CHECK(d[1] == Approx(d[2]).margin(1));
  // The delta is drawn: over several draws it varies and is not always (near) zero.
  std::set<int> deltas;
  for (int i = 0; i < 20; ++i) {
    cv::Mat o = img.clone();
    slim_color(o, s, rng);
    deltas.insert(static_cast<int>(o.at<cv::Vec3b>(0, 0)[0]) - 100);
  }
  CHECK(deltas.size() >= 5);
  CHECK(std::max(std::abs(*deltas.begin()), std::abs(*deltas.rbegin())) > 5);
  s.brightness_prob = 0;
  s.saturation_prob = 1;
  cv::Mat grey(4, 4, CV_8UC3, cv::Scalar::all(90)), g2 = grey.clone();
  slim_color(g2, s, rng);  // no saturation to reduce
  CHECK(cv::norm(g2, grey, cv::NORM_INF) <= 1);
}

TEST_CASE("boundary target of a square mask is a ~4 px band on its edge") {
  cv::Mat label = cv::Mat::zeros(40, 40, CV_8UC1);
  label(cv::Rect(10, 10, 20, 20)).setTo(1);
  const cv::Mat b = boundary_target(label);
  for (int y = 0; y < 40; ++y)
    for (int x = 0; x < 40; ++x) {
      // Chebyshev distance to the contour through the square's outer pixels.
      const bool inside = x >= 10 && x <= 29 && y >= 10 && y <= 29;
      const int d = inside ? std::min({x - 10, 29 - x, y - 10, 29 - y})
                           : std::max({10 - x, x - 29, 10 - y, y - 29, 0});
      if (d <= 1) CHECK(b.at<uint8_t>(y, x) == 1);
      if (d >= 3) CHECK(b.at<uint8_t>(y, x) == 0);
    }
  CHECK(cv::countNonZero(boundary_target(cv::Mat::zeros(10, 10, CV_8UC1))) == 0);
}

TEST_CASE("5x5 majority filter") {
  cv::Mat label = cv::Mat::zeros(30, 30, CV_8UC1);
  label.at<uint8_t>(3, 3) = 1;                      // isolated pixel: removed
  label(cv::Rect(10, 10, 10, 10)).setTo(1);         // block
  label.at<uint8_t>(25, 25) = 255;                  // ignore kept
  const cv::Mat m = majority_filter_5x5(label);
  CHECK(m.at<uint8_t>(3, 3) == 0);
  CHECK(m.at<uint8_t>(15, 15) == 1);
  CHECK(m.at<uint8_t>(10, 15) == 1);  // edge middle: 15 of 25
  CHECK(m.at<uint8_t>(10, 10) == 0);  // corner: 9 of 25
  CHECK(m.at<uint8_t>(11, 11) == 1);  // 16 of 25
  CHECK(m.at<uint8_t>(25, 25) == 255);
  // Reference form: blur of the 0/1 map rounded to uint8, then >= 0.5.
  cv::Mat blurred;
  cv::blur((label == 1) / 255, blurred, cv::Size(5, 5));
  cv::Mat ref = cv::Mat::zeros(label.size(), CV_8UC1);
  ref.setTo(1, blurred >= 1);
  ref.setTo(255, label == 255);
  CHECK(cv::countNonZero(m != ref) == 0);
}

TEST_CASE("float mask target: min-max normalise then threshold") {
  const cv::Mat f = (cv::Mat_<float>(1, 4) << 0.5f, 0.6f, 0.8f, 1.0f);  // -> 0, .2, .6, 1
  const cv::Mat t = threshold_normalized(f);
  CHECK(t.at<uint8_t>(0, 1) == 0);
  CHECK(t.at<uint8_t>(0, 2) == 1);
  CHECK(t.at<uint8_t>(0, 3) == 1);
}

TEST_CASE("prior perturbations move image, mask and prior together") {
  PriorAugment all;
  all.motion_blur_prob = 0;  // blur changes intensities, not positions; checked below
  all.affine_prob = all.perspective_prob = all.tps_prob = 1;
  Rng rng(11);
  for (int i = 0; i < 5; ++i) {
    Planes p = marked({64, 64}, 28, 28);
    const Perturbation d = draw_perturbation({64, 64}, all, rng);
    REQUIRE(d.affine);
    REQUIRE(d.perspective);
    REQUIRE(d.tps_source.size() == 4);
    p.image = apply_perturbation(d, p.image, PlaneKind::Image);
    p.soft = apply_perturbation(d, p.soft, PlaneKind::Mask);
    p.prior = apply_perturbation(d, p.prior, PlaneKind::Prior);
    p.label = apply_perturbation(d, p.label * 255, PlaneKind::Ignore) / 255;
    require_aligned(p, 1.5);
  }
  PriorAugment blur_only;
  blur_only.motion_blur_prob = 1;
  blur_only.affine_prob = blur_only.perspective_prob = blur_only.tps_prob = 0;
  const Perturbation b = draw_perturbation({64, 64}, blur_only, rng);
  REQUIRE(b.motion_kernel);
  const int length = b.motion_kernel->rows;
  CHECK(length >= 5);
  CHECK(length <= 30);
  Planes p = marked({64, 64}, 28, 28);
  const cv::Mat mask = apply_perturbation(b, p.soft, PlaneKind::Mask);
  double lo, hi;
  cv::minMaxLoc(mask, &lo, &hi);
  CHECK(lo == Approx(0.0).margin(1e-6));
  CHECK(hi == Approx(1.0).margin(1e-6));
}

TEST_CASE("prior synthesis branches") {
  cv::Mat label = cv::Mat::zeros(32, 32, CV_8UC1);
  label(cv::Rect(8, 8, 16, 16)).setTo(1);
  cv::Mat image(32, 32, CV_8UC3, cv::Scalar::all(50));
  PriorAugment never;
  never.prior_prob = 0;
  Rng rng(4);
  PriorSynthesis none = synthesize_prior(image, label, never, rng);
  CHECK(cv::countNonZero(none.prior) == 0);
  CHECK(none.float_mask.empty());

  PriorAugment prior_only;
  prior_only.prior_prob = 1;
  prior_only.image_branch_prob = 0;
  prior_only.motion_blur_prob = prior_only.affine_prob = prior_only.perspective_prob = prior_only.tps_prob = 0;
  PriorSynthesis same = synthesize_prior(image, label, prior_only, rng);
  cv::Mat person;
  cv::Mat(label == 1).convertTo(person, CV_32F, 1.0 / 255);
  CHECK(cv::norm(same.prior - person) == 0.0);

  PriorAugment image_branch = prior_only;
  image_branch.image_branch_prob = 1;
  image_branch.affine_prob = 1;
  cv::Mat img2 = image.clone();
  PriorSynthesis branch = synthesize_prior(img2, label, image_branch, rng);
  CHECK(cv::norm(branch.prior - person) == 0.0);  // the unperturbed mask is the prior
  REQUIRE_FALSE(branch.float_mask.empty());
  CHECK(branch.float_mask.size() == label.size());
}
