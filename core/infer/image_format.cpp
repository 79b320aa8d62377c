#include "core/infer/image_format.h"

#include <opencv2/imgcodecs.hpp>

#include <iterator>
#include <stdexcept>
#include <vector>

#include "data/image_codecs.h"

namespace pseg {
namespace {

struct FormatFacts {
  const char* name;
  const char* extension;
  const char* content_type;
};

// In the order of ImageFormat.
constexpr FormatFacts kFormats[] = {
    {"png", ".png", "image/png"}, {"jpg", ".jpg", "image/jpeg"}, {"webp", ".webp", "image/webp"}};

const FormatFacts& facts(ImageFormat format) { return kFormats[static_cast<int>(format)]; }

}  // namespace

std::optional<ImageFormat> image_format_named(const std::string& name) {
  for (int i = 0; i < static_cast<int>(std::size(kFormats)); ++i)
    if (name == kFormats[i].name) return static_cast<ImageFormat>(i);
  if (name == "jpeg") return ImageFormat::Jpg;
  return std::nullopt;
}

std::string extension_of(ImageFormat format) { return facts(format).extension; }

std::string content_type_of(ImageFormat format) { return facts(format).content_type; }

std::string encode_image(const cv::Mat& image, ImageFormat format, PngCompression png) {
  if (!is_8bit_picture(image))
    throw std::invalid_argument("cannot encode the result: expected an 8-bit grey, BGR or BGRA image");
  std::vector<int> params;
  switch (format) {
    case ImageFormat::Png: return encode_png(image, png);
    case ImageFormat::Jpg: params = {cv::IMWRITE_JPEG_QUALITY, 90}; break;
    case ImageFormat::Webp: params = {cv::IMWRITE_WEBP_QUALITY, image.channels() == 4 ? 101 : 90}; break;  // > 100: lossless
  }
  std::vector<unsigned char> out;
  if (!codecs_encode(extension_of(format), image, out, params))
    throw std::runtime_error("cannot encode the result as " + extension_of(format));
  return std::string(out.begin(), out.end());
}

ImageFormat format_that_holds(ImageFormat asked, const cv::Mat& picture) {
  constexpr int kWebpMaxSide = 16383;
  if (asked == ImageFormat::Jpg && picture.channels() == 4) return ImageFormat::Png;
  if (asked == ImageFormat::Webp && (picture.cols > kWebpMaxSide || picture.rows > kWebpMaxSide))
    return ImageFormat::Png;
  return asked;
}

}  // namespace pseg
