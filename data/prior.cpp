#include "data/prior.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/shape/shape_transformer.hpp>

#include "data/photometric.h"

namespace pseg {
namespace {

std::vector<cv::Point2f> offset_points(const std::vector<cv::Point2f>& base, int r, Rng& rng) {
  std::vector<cv::Point2f> out;
  for (const auto& pt : base) {
    // randint(-r, r): upper bound exclusive
    const float bx = static_cast<float>(uniform_int(rng, -r, r - 1));
    const float by = static_cast<float>(uniform_int(rng, -r, r - 1));
    out.emplace_back(pt.x + bx, pt.y + by);
  }
  return out;
}

}  // namespace

Perturbation draw_perturbation(cv::Size size, const PriorAugment& p, Rng& rng) {
  Perturbation d;
  d.size = size;
  const auto w = static_cast<float>(size.width), h = static_cast<float>(size.height);
  const int r = std::max(1, static_cast<int>(p.offset_ratio * std::min(size.width, size.height)));
  if (chance(rng, p.motion_blur_prob)) {
    const int length = uniform_int(rng, 5, 30);
    const int angle = uniform_int(rng, 0, 360);
    d.motion_kernel = motion_blur_kernel(length, angle);
  }
  if (chance(rng, p.affine_prob)) {
    const std::vector<cv::Point2f> tri = {{0, 0}, {w, 0}, {0, h}};
    const auto src = offset_points(tri, r, rng);
    const auto dst = offset_points(tri, r, rng);
    d.affine = cv::getAffineTransform(src, dst);
  }
  const std::vector<cv::Point2f> corners = {{0, 0}, {w, 0}, {0, h}, {w, h}};
  if (chance(rng, p.perspective_prob)) {
    const auto src = offset_points(corners, r, rng);
    const auto dst = offset_points(corners, r, rng);
    d.perspective = cv::getPerspectiveTransform(src, dst);
  }
  if (chance(rng, p.tps_prob)) {
    d.tps_source = offset_points(corners, r, rng);
    d.tps_target = offset_points(corners, r, rng);
  }
  return d;
}

cv::Mat apply_perturbation(const Perturbation& d, const cv::Mat& m, PlaneKind kind) {
  cv::Mat out = m.clone();
  const int interp = kind == PlaneKind::Ignore ? cv::INTER_NEAREST : cv::INTER_LINEAR;
  if (d.motion_kernel && kind != PlaneKind::Ignore) {
    cv::filter2D(out, out, -1, *d.motion_kernel);
    if (kind == PlaneKind::Image) cv::normalize(out, out, 0, 255, cv::NORM_MINMAX);
    if (kind == PlaneKind::Mask) cv::normalize(out, out, 0, 1, cv::NORM_MINMAX);
  }
  if (d.affine) cv::warpAffine(out, out, *d.affine, d.size, interp, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  if (d.perspective)
    cv::warpPerspective(out, out, *d.perspective, d.size, interp, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  if (!d.tps_source.empty()) {
    auto tps = cv::createThinPlateSplineShapeTransformer();
    std::vector<cv::DMatch> matches;
    for (int i = 0; i < static_cast<int>(d.tps_source.size()); ++i) matches.emplace_back(i, i, 0.f);
    tps->estimateTransformation(d.tps_target, d.tps_source, matches);
    cv::Mat warped;
    tps->warpImage(out, warped, interp, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    out = warped;
  }
  return out;
}

PriorSynthesis synthesize_prior(cv::Mat& image, const cv::Mat& label, const PriorAugment& p, Rng& rng) {
  PriorSynthesis s;
  s.prior = cv::Mat::zeros(label.size(), CV_32FC1);
  if (!chance(rng, p.prior_prob)) return s;
  cv::Mat person = label == 1;
  person.convertTo(s.prior, CV_32F, 1.0 / 255.0);
  const bool image_branch = chance(rng, p.image_branch_prob);
  const Perturbation d = draw_perturbation(label.size(), p, rng);
  if (image_branch) {
    image = apply_perturbation(d, image, PlaneKind::Image);
    s.float_mask = apply_perturbation(d, s.prior, PlaneKind::Mask);
    s.ignore = apply_perturbation(d, label == 255, PlaneKind::Ignore);
  } else {
    s.prior = apply_perturbation(d, s.prior, PlaneKind::Prior);
  }
  return s;
}

}  // namespace pseg
