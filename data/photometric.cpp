#include "data/photometric.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace pseg {
namespace {

// out = round(clip(d + f (img - d))) for uint8 images of equal shape.
cv::Mat blend(const cv::Mat& degenerate, const cv::Mat& img, double f) {
  cv::Mat d, i, out;
  degenerate.convertTo(d, CV_32F);
  img.convertTo(i, CV_32F);
  cv::Mat mixed = d + (i - d) * f;
  mixed.convertTo(out, CV_8U);  // saturate_cast: rounds and clips
  return out;
}

cv::Mat luma(const cv::Mat& rgb) {
  cv::Mat l(rgb.size(), CV_8UC1);
  for (int y = 0; y < rgb.rows; ++y) {
    const auto* s = rgb.ptr<cv::Vec3b>(y);
    auto* d = l.ptr<uint8_t>(y);
    for (int x = 0; x < rgb.cols; ++x)
      d[x] = cv::saturate_cast<uint8_t>(0.299 * s[x][0] + 0.587 * s[x][1] + 0.114 * s[x][2]);
  }
  return l;
}

}  // namespace

cv::Mat enhance_color(const cv::Mat& rgb, double f) {
  cv::Mat l = luma(rgb), l3;
  cv::cvtColor(l, l3, cv::COLOR_GRAY2RGB);
  return blend(l3, rgb, f);
}

cv::Mat enhance_brightness(const cv::Mat& rgb, double f) { return blend(cv::Mat::zeros(rgb.size(), rgb.type()), rgb, f); }

cv::Mat enhance_contrast(const cv::Mat& rgb, double f) {
  const double mean = cv::mean(luma(rgb))[0];
  const int m = static_cast<int>(mean + 0.5);
  return blend(cv::Mat(rgb.size(), rgb.type(), cv::Scalar::all(m)), rgb, f);
}

cv::Mat enhance_sharpness(const cv::Mat& rgb, double f) {
  const cv::Mat kernel = (cv::Mat_<float>(3, 3) << 1, 1, 1, 1, 5, 1, 1, 1, 1) / 13.f;
  cv::Mat smooth;
  cv::filter2D(rgb, smooth, -1, kernel);
  if (rgb.rows > 2 && rgb.cols > 2) {
    // PIL's filter leaves the one-pixel border unchanged.
    cv::Mat keep = rgb.clone();
    smooth(cv::Rect(1, 1, rgb.cols - 2, rgb.rows - 2)).copyTo(keep(cv::Rect(1, 1, rgb.cols - 2, rgb.rows - 2)));
    smooth = keep;
  } else {
    smooth = rgb.clone();
  }
  return blend(smooth, rgb, f);
}

cv::Mat motion_blur_kernel(int length, double angle_deg) {
  const cv::Mat rot = cv::getRotationMatrix2D(cv::Point2f(length / 2.f, length / 2.f), angle_deg, 1.0);
  cv::Mat diag = cv::Mat::eye(length, length, CV_32F), k;
  cv::warpAffine(diag, k, rot, cv::Size(length, length));
  return k / static_cast<float>(length);
}

cv::Mat texture_augment(const cv::Mat& bgr, const TextureAugment& t, Rng& rng) {
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  if (chance(rng, t.enhance_prob)) {
    // NumPy randint(a, b) / 10 with exclusive upper bounds.
    rgb = enhance_color(rgb, uniform_int(rng, 4, 16) / 10.0);
    rgb = enhance_brightness(rgb, uniform_int(rng, 4, 16) / 10.0);
    rgb = enhance_contrast(rgb, uniform_int(rng, 6, 14) / 10.0);
    rgb = enhance_sharpness(rgb, uniform_int(rng, 8, 12) / 10.0);
  }
  if (chance(rng, t.blur_prob)) {
    const double u = uniform(rng, 0.0, 1.0);
    const int k = chance(rng, 0.5) ? 3 : 5;
    cv::Mat out;
    if (u < 0.3) cv::GaussianBlur(rgb, out, cv::Size(k, k), 0);
    else if (u < 0.6) cv::medianBlur(rgb, out, k);
    else cv::blur(rgb, out, cv::Size(k, k));
    rgb = out;
  }
  cv::Mat out;
  rgb.convertTo(out, CV_32F);
  if (chance(rng, t.noise_prob)) {
    const double sigma = uniform(rng, 0.0, t.noise_sigma_max);
    // OpenCV's own generator (seeded from ours) fills the noise vectorised; per-element draws cost ~30 ms at 224.
    cv::RNG noise_rng(rng());
    cv::Mat noise(out.size(), CV_32FC3);
    noise_rng.fill(noise, cv::RNG::NORMAL, 0.0, sigma);
    out = cv::min(cv::max(out + noise, 0.0), 255.0);
  }
  cv::cvtColor(out, out, cv::COLOR_RGB2BGR);
  return out;
}

void slim_color(cv::Mat& bgr, const SlimAugment& s, Rng& rng) {
  cv::Mat f;
  bgr.convertTo(f, CV_32F, 1.0 / 255.0);
  if (chance(rng, s.brightness_prob)) {
    f += cv::Scalar::all(uniform(rng, -s.brightness_delta, s.brightness_delta));
    f = cv::min(cv::max(f, 0.0), 1.0);
  }
  if (chance(rng, s.contrast_prob)) {
    const double factor = uniform(rng, s.contrast_min, s.contrast_max);
    const cv::Scalar mean = cv::mean(f);
    f = (f - mean) * factor + mean;
  }
  if (chance(rng, s.saturation_prob)) {
    const double factor = uniform(rng, s.saturation_min, s.saturation_max);
    cv::Mat hsv;
    cv::cvtColor(f, hsv, cv::COLOR_BGR2HSV);  // float: S in [0, 1]
    std::vector<cv::Mat> ch;
    cv::split(hsv, ch);
    const cv::Mat scaled = ch[1] * factor;
    ch[1] = cv::min(scaled, 1.0);
    cv::merge(ch, hsv);
    cv::cvtColor(hsv, f, cv::COLOR_HSV2BGR);
  }
  f.convertTo(bgr, CV_8U, 255.0);
}

}  // namespace pseg
