#include "data/geometric.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace pseg {
namespace {

void warp_if(cv::Mat& m, const cv::Mat& matrix, cv::Size size, int flags, int border, double fill) {
  if (m.empty()) return;
  cv::Mat out;
  cv::warpAffine(m, out, matrix, size, flags, border, cv::Scalar::all(fill));
  m = out;
}

}  // namespace

cv::Mat portraitnet_matrix(cv::Size source, cv::Size canvas, double angle_deg, double scale_factor, double ox,
                           double oy) {
  const double x2 = source.width - 1, y2 = source.height - 1;
  const double dx = (canvas.width - x2) / 2.0, dy = (canvas.height - y2) / 2.0;
  const double fit = (canvas.width / std::max(x2, 1.0) + canvas.height / std::max(y2, 1.0)) / 2.0;
  const double s = scale_factor * fit;
  const cv::Point2f centre(static_cast<float>(canvas.width / 2.0 + ox), static_cast<float>(canvas.height / 2.0 + oy));
  cv::Mat r = cv::getRotationMatrix2D(centre, angle_deg, s);  // [[a, b, ..], [-b, a, ..]]
  cv::Mat m = r.clone();
  // M = R · T(dx, dy): the translation is applied first, so it enters through R's linear part.
  m.at<double>(0, 2) += r.at<double>(0, 0) * dx + r.at<double>(0, 1) * dy;
  m.at<double>(1, 2) += r.at<double>(1, 0) * dx + r.at<double>(1, 1) * dy;
  return m;
}

cv::Mat draw_portraitnet_matrix(cv::Size source, cv::Size canvas, const AffineAugment& a, Rng& rng) {
  const double angle = uniform(rng, -a.rotation_deg, a.rotation_deg);
  const double scale = uniform(rng, a.scale_min, a.scale_max);
  const double ox = uniform(rng, -a.translation, a.translation) * canvas.width;
  const double oy = uniform(rng, -a.translation, a.translation) * canvas.height;
  return portraitnet_matrix(source, canvas, angle, scale, ox, oy);
}

void warp_portraitnet(Planes& p, const cv::Mat& m, cv::Size canvas, double image_fill) {
  warp_if(p.image, m, canvas, cv::INTER_LINEAR, cv::BORDER_CONSTANT, image_fill);
  warp_if(p.label, m, canvas, cv::INTER_NEAREST, cv::BORDER_CONSTANT, 0);
  warp_if(p.soft, m, canvas, cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
  warp_if(p.prior, m, canvas, cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
}

cv::Mat keras_matrix(cv::Size size, double tx, double ty, double zx, double zy) {
  const double o_r = (size.height - 1) / 2.0, o_c = (size.width - 1) / 2.0;
  return (cv::Mat_<double>(2, 3) << zy, 0, o_c - zy * o_c + ty, 0, zx, o_r - zx * o_r + tx);
}

cv::Mat draw_keras_matrix(cv::Size size, const KerasAugment& k, Rng& rng) {
  const double tx = uniform(rng, -k.shift, k.shift) * size.height;
  const double ty = uniform(rng, -k.shift, k.shift) * size.width;
  const double zx = uniform(rng, 1.0 - k.zoom, 1.0 + k.zoom);
  const double zy = uniform(rng, 1.0 - k.zoom, 1.0 + k.zoom);
  return keras_matrix(size, tx, ty, zx, zy);
}

void warp_keras(Planes& p, const cv::Mat& inverse, bool soft_mask) {
  const cv::Size size = p.image.size();
  const int linear = cv::INTER_LINEAR | cv::WARP_INVERSE_MAP;
  const int nearest = cv::INTER_NEAREST | cv::WARP_INVERSE_MAP;
  warp_if(p.image, inverse, size, linear, cv::BORDER_REPLICATE, 0);
  warp_if(p.prior, inverse, size, linear, cv::BORDER_REPLICATE, 0);
  if (soft_mask) {
    cv::Mat person, ignore;
    p.label.convertTo(person, CV_32F);
    person.setTo(0.f, p.label != 1);
    cv::Mat ignore_mask = p.label == 255;
    warp_if(person, inverse, size, linear, cv::BORDER_REPLICATE, 0);
    warp_if(ignore_mask, inverse, size, nearest, cv::BORDER_REPLICATE, 0);
    p.soft = person;
    cv::Mat label = cv::Mat::zeros(size, CV_8UC1);
    label.setTo(1, person >= 0.5f);
    label.setTo(255, ignore_mask);
    p.label = label;
    return;
  }
  warp_if(p.soft, inverse, size, linear, cv::BORDER_REPLICATE, 0);
  warp_if(p.label, inverse, size, nearest, cv::BORDER_REPLICATE, 0);
}

cv::Rect draw_crop(cv::Size size, double fraction, Rng& rng) {
  const int w = std::max(1, static_cast<int>(size.width * fraction));
  const int h = std::max(1, static_cast<int>(size.height * fraction));
  const int x = uniform_int(rng, 0, size.width - w);
  const int y = uniform_int(rng, 0, size.height - h);
  return {x, y, w, h};
}

void crop(Planes& p, const cv::Rect& r) {
  for (cv::Mat* m : {&p.image, &p.label, &p.soft, &p.prior})
    if (!m->empty()) *m = (*m)(r).clone();
}

void hflip(Planes& p) {
  for (cv::Mat* m : {&p.image, &p.label, &p.soft, &p.prior})
    if (!m->empty()) cv::flip(*m, *m, 1);
}

}  // namespace pseg
