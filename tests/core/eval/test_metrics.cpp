// Both mIOU definitions on hand-made masks with known values.
#include "core/eval/metrics.h"

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <catch2/catch.hpp>

using namespace pseg;

namespace {

cv::Mat mat(std::initializer_list<uint8_t> v, int rows, int cols) {
  cv::Mat m(rows, cols, CV_8UC1);
  std::copy(v.begin(), v.end(), m.begin<uint8_t>());
  return m;
}

}  // namespace

TEST_CASE("per-image foreground IoU and ignore pixels", "[core][metrics]") {
  // label: 2 person pixels, 1 ignored, 1 background; prediction hits one person pixel and the ignored one.
  const auto label = mat({1, 1, 255, 0}, 2, 2);
  const auto pred = mat({1, 0, 1, 0}, 2, 2);
  const auto c = count_pixels(pred, label);
  REQUIRE(c.tp == 1);
  REQUIRE(c.fn == 1);
  REQUIRE(c.fp == 0);
  REQUIRE(c.tn == 1);
  REQUIRE(c.ignored == 1);
  REQUIRE(c.foreground_iou() == Approx(0.5));
  // The tensor path agrees with the OpenCV path.
  const auto tl = torch::tensor({1, 1, 255, 0}, torch::kInt64).reshape({2, 2});
  const auto tp = torch::tensor({1, 0, 1, 0}, torch::kUInt8).reshape({2, 2});
  const auto ct = count_pixels(tp, tl);
  REQUIRE(ct.tp == c.tp);
  REQUIRE(ct.fp == c.fp);
  REQUIRE(ct.fn == c.fn);
  REQUIRE(ct.tn == c.tn);
  REQUIRE(ct.ignored == c.ignored);
}

TEST_CASE("all-background image with an empty prediction scores IoU 1", "[core][metrics]") {
  const auto c = count_pixels(cv::Mat::zeros(3, 3, CV_8UC1), cv::Mat::zeros(3, 3, CV_8UC1));
  REQUIRE(c.foreground_iou() == 1.0);
  MetricAccumulator acc;
  acc.add(c);
  const auto m = acc.result();
  REQUIRE(m.miou_per_image == 1.0);
  REQUIRE(m.iou_background == 1.0);
  REQUIRE(m.iou_person == 1.0);  // no person anywhere: the empty class counts as perfect
  REQUIRE(m.pixel_accuracy == 1.0);
}

TEST_CASE("empty prediction on a person image scores 0", "[core][metrics]") {
  const auto c = count_pixels(cv::Mat::zeros(2, 2, CV_8UC1), mat({1, 1, 0, 0}, 2, 2));
  REQUIRE(c.foreground_iou() == 0.0);
}

TEST_CASE("the two mIOU definitions disagree on a crafted case", "[core][metrics]") {
  // Image A: 100 pixels, 1 person pixel, predicted as background -> IoU_A = 0.
  // Image B: 100 pixels, 50 person pixels, all predicted right -> IoU_B = 1.
  // Per-image mean = 0.5. Confusion: tp 50, fn 1, fp 0, tn 149 -> person 50/51, background 149/150.
  MetricAccumulator acc;
  ConfusionCounts a;
  a.fn = 1;
  a.tn = 99;
  ConfusionCounts b;
  b.tp = 50;
  b.tn = 50;
  acc.add(a);
  acc.add(b);
  const auto m = acc.result();
  REQUIRE(m.images == 2);
  REQUIRE(m.miou_per_image == Approx(0.5));
  REQUIRE(m.iou_person == Approx(50.0 / 51.0));
  REQUIRE(m.iou_background == Approx(149.0 / 150.0));
  REQUIRE(m.miou_confusion == Approx((50.0 / 51.0 + 149.0 / 150.0) / 2));
  REQUIRE(m.pixel_accuracy == Approx(199.0 / 200.0));
  REQUIRE(m.miou_confusion > m.miou_per_image + 0.4);
}

TEST_CASE("merging accumulators equals accumulating once", "[core][metrics]") {
  ConfusionCounts x;
  x.tp = 3;
  x.fp = 1;
  x.tn = 4;
  ConfusionCounts y;
  y.fn = 2;
  y.tn = 6;
  y.ignored = 2;
  MetricAccumulator all, left, right;
  all.add(x);
  all.add(y);
  left.add(x);
  right.add(y);
  left.merge(right);
  REQUIRE(left.result().miou_per_image == all.result().miou_per_image);
  REQUIRE(left.result().miou_confusion == all.result().miou_confusion);
  REQUIRE(left.result().ignored_pixels == 2);
}

TEST_CASE("false person on an all-background image costs a whole image per-image, little in the confusion", "[core][metrics]") {
  // Image A: 4x4 person square fully found. Image B: all background, 1 of 16 pixels predicted person.
  cv::Mat label_a = cv::Mat::zeros(8, 8, CV_8UC1);
  label_a(cv::Rect(2, 2, 4, 4)).setTo(1);
  const cv::Mat pred_b = mat({1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 4, 4);
  MetricAccumulator acc;
  acc.add(count_pixels(label_a.clone(), label_a));
  acc.add(count_pixels(pred_b, cv::Mat::zeros(4, 4, CV_8UC1)));
  const auto m = acc.result();
  REQUIRE(acc.per_image_iou()[1] == 0.0);
  REQUIRE(m.miou_per_image == Approx(0.5));
  REQUIRE(m.iou_person == Approx(16.0 / 17.0));
  REQUIRE(m.iou_background == Approx(63.0 / 64.0));  // tn 48 + 15, fp 1
  REQUIRE(m.miou_confusion == Approx((16.0 / 17.0 + 63.0 / 64.0) / 2));
}

TEST_CASE("predictions on ignore pixels change neither definition", "[core][metrics]") {
  const auto label = mat({1, 255, 0, 255, 1, 0}, 2, 3);
  auto result = [&](const cv::Mat& pred) {
    MetricAccumulator acc;
    acc.add(count_pixels(pred, label));
    return acc.result();
  };
  const auto off = result(mat({1, 0, 0, 0, 1, 0}, 2, 3));
  const auto on = result(mat({1, 1, 0, 1, 1, 0}, 2, 3));
  REQUIRE(off.ignored_pixels == 2);
  REQUIRE(on.miou_per_image == off.miou_per_image);
  REQUIRE(on.miou_confusion == off.miou_confusion);
  REQUIRE(on.pixel_accuracy == 1.0);
}
