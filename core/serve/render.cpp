#include "core/serve/render.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <sstream>
#include <vector>

#include "core/infer/effects.h"
#include "data/image_io.h"

namespace pseg {
namespace {

std::string pixels_text(double pixels) {
  std::ostringstream out;
  out.precision(3);
  out << pixels / 1e6 << " megapixels";
  return out.str();
}

void check_pixels(const std::string& what, cv::Size size, double max_pixels) {
  const double pixels = static_cast<double>(size.width) * size.height;
  if (pixels > max_pixels)
    throw HttpError(422, what + " is " + std::to_string(size.width) + "x" + std::to_string(size.height) + " (" +
                             pixels_text(pixels) + "), over the server's limit of " + pixels_text(max_pixels));
}

// The person over a colour of opacity `alpha8` < 255: "over" compositing into BGRA.
cv::Mat over_translucent(const cv::Mat& bgr, const cv::Mat& alpha, const cv::Scalar& colour, int alpha8) {
  const float a_bg = alpha8 / 255.f;
  cv::Mat out(bgr.size(), CV_8UC4);
  for (int y = 0; y < bgr.rows; ++y) {
    const auto* src = bgr.ptr<cv::Vec3b>(y);
    const auto* a = alpha.ptr<float>(y);
    auto* dst = out.ptr<cv::Vec4b>(y);
    for (int x = 0; x < bgr.cols; ++x) {
      const float out_a = a[x] + a_bg * (1 - a[x]);
      for (int c = 0; c < 3; ++c) {
        const float v = out_a > 0 ? (src[x][c] * a[x] + colour[c] * a_bg * (1 - a[x])) / out_a : 0.f;
        dst[x][c] = cv::saturate_cast<uchar>(v);
      }
      dst[x][3] = cv::saturate_cast<uchar>(255 * out_a);
    }
  }
  return out;
}

cv::Size shown_size(const cv::Mat& image) { return image.size(); }
cv::Size shown_size(const DecodedPhoto& photo) { return photo.size; }

// `decode(bytes)` (a cv::Mat or a DecodedPhoto) within the server's limits: HttpError 400 for what cannot be
// decoded, 422 for too many pixels.
template <typename Decode>
auto checked_decode(const std::string& bytes, const std::string& what, double max_pixels, Decode&& decode) {
  if (bytes.empty()) throw HttpError(400, what + " is empty");
  const std::vector<unsigned char> data(bytes.begin(), bytes.end());
  if (!is_supported_image(data)) throw HttpError(400, what + " is not a PNG, JPEG, BMP, TIFF or WebP image");
  if (const auto size = image_header_size(data)) check_pixels(what, *size, max_pixels);
  decltype(decode(data)) decoded;
  try {
    decoded = decode(data);
  } catch (const std::exception& e) {
    throw HttpError(400, e.what());
  }
  check_pixels(what, shown_size(decoded), max_pixels);  // formats whose header was not read (TIFF)
  return decoded;
}

}  // namespace

DecodedPhoto decode_upload_photo(const std::string& bytes, const std::string& what, double max_pixels,
                                 const Predictor& predictor, const PhotoDecodeOptions& options) {
  return checked_decode(bytes, what, max_pixels, [&](const std::vector<unsigned char>& data) {
    return decode_photo(data, what, predictor, options);
  });
}

cv::Mat decode_upload(const std::string& bytes, const std::string& what, double max_pixels) {
  return checked_decode(bytes, what, max_pixels, [&](const std::vector<unsigned char>& data) {
    return decode_image(data, cv::IMREAD_COLOR, what);
  });
}

cv::Mat render_remove(const cv::Mat& bgr, const cv::Mat& probability, const RemoveOptions& o, float threshold,
                      const cv::Mat& background) {
  if (o.effect == ServeEffect::Mask) return to_mask8(probability);
  FeatherOptions feather;
  feather.threshold = threshold;
  feather.feather_px = o.feather_px;
  const cv::Mat alpha = feathered_alpha(probability, feather);
  switch (o.effect) {
    case ServeEffect::Cutout: return cutout_rgba(bgr, alpha);
    case ServeEffect::Blur: return blur_background(bgr, alpha);
    case ServeEffect::Replace:
      if (o.background_image) return blend_over(bgr, alpha, fill_crop(background, bgr.size()));
      if (o.background_alpha < 255) return over_translucent(bgr, alpha, o.background_bgr, o.background_alpha);
      return blend_over(bgr, alpha, cv::Mat(bgr.size(), CV_8UC3, o.background_bgr));
    case ServeEffect::Mask: break;
  }
  return to_mask8(probability);
}

}  // namespace pseg
