#include "core/infer/effects.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "core/common/simd.h"
#include "core/infer/area_resize.h"
#include "data/image_io.h"

namespace pseg {
namespace {

void check_alpha(const cv::Mat& bgr, const cv::Mat& alpha, const char* what) {
  if (bgr.type() != CV_8UC3) throw std::invalid_argument(std::string(what) + ": expected an 8-bit BGR image");
  if (alpha.type() != CV_32FC1 || alpha.size() != bgr.size())
    throw std::invalid_argument(std::string(what) + ": expected a CV_32FC1 alpha of the image's size");
}

// alpha = smoothstep of the probability between lo and hi, one row.
PSEG_MULTIVERSION void smoothstep_row(const float* p, float* alpha, int n, float lo, float hi) {
  for (int x = 0; x < n; ++x) {
    const float t = std::clamp((p[x] - lo) / (hi - lo), 0.f, 1.f);
    alpha[x] = t * t * (3.f - 2.f * t);
  }
}

// out = f * w + b * (1 - w) per channel, rounded half to even and saturated as cv::saturate_cast<uchar> does, one row
// (a NaN weight gives 0, as there). This file is compiled with -ffp-contract=off (core/CMakeLists.txt), so every
// clone rounds alike.
PSEG_MULTIVERSION void blend_row(const uchar* f, const uchar* b, const float* a, uchar* o, int n) {
  for (int x = 0; x < n; ++x) {
    const float w = a[x];
    for (int c = 0; c < 3; ++c) {
      const float v = std::nearbyint(f[3 * x + c] * w + b[3 * x + c] * (1.f - w));
      o[3 * x + c] = static_cast<uchar>(v > 0.f ? std::min(v, 255.f) : 0.f);
    }
  }
}

}  // namespace

cv::Mat feathered_alpha(const cv::Mat& probability, const FeatherOptions& options) {
  if (probability.type() != CV_32FC1 || probability.empty())
    throw std::invalid_argument("feathered_alpha: expected a non-empty CV_32FC1 probability map");
  if (!(options.threshold > 0.f && options.threshold < 1.f))
    throw std::invalid_argument("threshold " + std::to_string(options.threshold) + ": expected a value in (0, 1)");
  if (options.feather_px < 0) throw std::invalid_argument("feather: expected >= 0 pixels");
  // Blurred into a buffer of its own: the caller's probability (e.g. the video smoothing state) stays as it was.
  cv::Mat p = probability;
  if (options.feather_px > 0) {
    const int radius = static_cast<int>(std::ceil(options.feather_px));
    p = cv::Mat();
    cv::GaussianBlur(probability, p, cv::Size(2 * radius + 1, 2 * radius + 1), options.feather_px / 2.0,
                     options.feather_px / 2.0, cv::BORDER_REPLICATE);
  }
  const float lo = std::max(0.f, options.threshold - kAlphaBand);
  const float hi = std::min(1.f, options.threshold + kAlphaBand);
  cv::Mat alpha(p.size(), CV_32FC1);
  for (int y = 0; y < p.rows; ++y) smoothstep_row(p.ptr<float>(y), alpha.ptr<float>(y), p.cols, lo, hi);
  return alpha;
}

double foreground_fraction(const cv::Mat& probability, float threshold) {
  if (probability.type() != CV_32FC1 || probability.empty())
    throw std::invalid_argument("foreground_fraction: expected a non-empty CV_32FC1 probability map");
  // Counted row by row: `probability > threshold` would build a mask of the photo's size first.
  size_t above = 0;
  for (int y = 0; y < probability.rows; ++y) {
    const float* p = probability.ptr<float>(y);
    for (int x = 0; x < probability.cols; ++x) above += p[x] > threshold;
  }
  return static_cast<double>(above) / static_cast<double>(probability.total());
}

cv::Mat to_mask8(const cv::Mat& map) {
  cv::Mat out;
  map.convertTo(out, CV_8U, 255.0);  // saturating, rounds to nearest
  return out;
}

cv::Mat cutout_rgba(const cv::Mat& bgr, const cv::Mat& alpha) {
  check_alpha(bgr, alpha, "cutout");
  const cv::Mat sources[] = {bgr, to_mask8(alpha)};
  cv::Mat out(bgr.size(), CV_8UC4);
  const int from_to[] = {0, 0, 1, 1, 2, 2, 3, 3};  // B, G, R, then alpha
  cv::mixChannels(sources, 2, &out, 1, from_to, 4);
  return out;
}

cv::Mat blend_over(const cv::Mat& bgr, const cv::Mat& alpha, const cv::Mat& background) {
  check_alpha(bgr, alpha, "blend");
  if (background.type() != CV_8UC3 || background.size() != bgr.size())
    throw std::invalid_argument("blend: expected an 8-bit BGR background of the image's size");
  cv::Mat out(bgr.size(), CV_8UC3);
  for (int y = 0; y < bgr.rows; ++y)
    blend_row(bgr.ptr<uchar>(y), background.ptr<uchar>(y), alpha.ptr<float>(y), out.ptr<uchar>(y), bgr.cols);
  return out;
}

cv::Scalar parse_hex_colour(const std::string& text) {
  const bool ok = text.size() == 7 && text[0] == '#' &&
                  text.find_first_not_of("0123456789abcdefABCDEF", 1) == std::string::npos;
  if (!ok) throw std::invalid_argument("colour \"" + text + "\": expected #RRGGBB");
  const auto byte = [&](size_t at) { return std::stoi(text.substr(at, 2), nullptr, 16); };
  return cv::Scalar(byte(5), byte(3), byte(1));
}

cv::Mat fill_crop(const cv::Mat& image, cv::Size size) {
  const double scale = std::max(static_cast<double>(size.width) / image.cols,
                                static_cast<double>(size.height) / image.rows);
  const int w = std::max(size.width, static_cast<int>(std::lround(image.cols * scale)));
  const int h = std::max(size.height, static_cast<int>(std::lround(image.rows * scale)));
  cv::Mat scaled;
  if (scale < 1) {
    scaled = resize_area(image, cv::Size(w, h));
  } else {
    cv::resize(image, scaled, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
  }
  const cv::Rect centre((w - size.width) / 2, (h - size.height) / 2, size.width, size.height);
  return scaled(centre).clone();
}

Background Background::parse(const std::string& spec) {
  if (!spec.empty() && spec[0] == '#') return colour(parse_hex_colour(spec));
  if (!std::filesystem::is_regular_file(spec)) throw std::runtime_error(spec + ": no such background image");
  return image(read_image(spec, cv::IMREAD_COLOR));
}

Background Background::colour(const cv::Scalar& bgr) {
  Background b;
  b.colour_ = bgr;
  return b;
}

Background Background::image(const cv::Mat& bgr) {
  if (bgr.type() != CV_8UC3 || bgr.empty()) throw std::invalid_argument("background: expected an 8-bit BGR image");
  Background b;
  b.image_ = bgr;
  return b;
}

const cv::Mat& Background::at(cv::Size size) const {
  if (cached_.size() != size || cached_.empty())
    cached_ = image_.empty() ? cv::Mat(size, CV_8UC3, colour_) : fill_crop(image_, size);
  return cached_;
}

cv::Mat bokeh_background(const cv::Mat& bgr, const cv::Mat& alpha) {
  check_alpha(bgr, alpha, "blur");
  const double sigma = std::max(2.0, 0.012 * std::max(bgr.cols, bgr.rows));
  // The blur removes all detail finer than sigma anyway: work at 1/k of the resolution (k up to sigma / 3).
  const int k = std::max(1, static_cast<int>(sigma / 3));
  const cv::Size small((bgr.cols + k - 1) / k, (bgr.rows + k - 1) / k);
  cv::Mat image = resize_area(bgr, small), weight = resize_area(alpha, small);
  image.convertTo(image, CV_32FC3);
  weight = 1.f - weight;  // the background's weight, computed at the small size
  cv::Mat plain, premultiplied, blurred_weight;
  cv::GaussianBlur(image, plain, cv::Size(), sigma / k, sigma / k, cv::BORDER_REFLECT);
  cv::Mat weight3;
  cv::merge(std::vector<cv::Mat>{weight, weight, weight}, weight3);
  cv::GaussianBlur(image.mul(weight3), premultiplied, cv::Size(), sigma / k, sigma / k, cv::BORDER_REFLECT);
  cv::GaussianBlur(weight, blurred_weight, cv::Size(), sigma / k, sigma / k, cv::BORDER_REFLECT);
  cv::Mat background(small, CV_32FC3);
  for (int y = 0; y < small.height; ++y) {
    const auto* pm = premultiplied.ptr<cv::Vec3f>(y);
    const auto* bw = blurred_weight.ptr<float>(y);
    const auto* pl = plain.ptr<cv::Vec3f>(y);
    auto* o = background.ptr<cv::Vec3f>(y);
    // Deep inside the person there is no background to spread: the plain blur stands in (alpha hides it).
    for (int x = 0; x < small.width; ++x) o[x] = bw[x] < 1e-3f ? pl[x] : pm[x] / bw[x];
  }
  // Rounded to 8 bits before the upscale: OpenCV's fixed-point 8-bit resize is several times faster than the float one.
  cv::Mat out;
  background.convertTo(out, CV_8UC3);
  if (k > 1) cv::resize(out, out, bgr.size(), 0, 0, cv::INTER_LINEAR);
  return out;
}

cv::Mat blur_background(const cv::Mat& bgr, const cv::Mat& alpha) {
  return blend_over(bgr, alpha, bokeh_background(bgr, alpha));
}

cv::Mat side_by_side(const cv::Mat& bgr, const cv::Mat& alpha, const cv::Mat& result) {
  check_alpha(bgr, alpha, "preview");
  cv::Mat grey;
  cv::cvtColor(to_mask8(alpha), grey, cv::COLOR_GRAY2BGR);
  cv::Mat out;
  cv::hconcat(std::vector<cv::Mat>{bgr, grey, result}, out);
  return out;
}

}  // namespace pseg
