#include "core/infer/image_format.h"

#include <opencv2/imgcodecs.hpp>

#include <iterator>

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

std::vector<int> encode_params(ImageFormat format, int channels) {
  switch (format) {
    case ImageFormat::Jpg: return {cv::IMWRITE_JPEG_QUALITY, 90};
    case ImageFormat::Webp: return {cv::IMWRITE_WEBP_QUALITY, channels == 4 ? 101 : 90};  // > 100: lossless
    case ImageFormat::Png: break;
  }
  // No IMWRITE_PNG_COMPRESSION: naming a level turns on libpng's adaptive filter search (docs/performance.md).
  return {};
}

ImageFormat format_that_holds(ImageFormat asked, const cv::Mat& picture) {
  constexpr int kWebpMaxSide = 16383;
  if (asked == ImageFormat::Jpg && picture.channels() == 4) return ImageFormat::Png;
  if (asked == ImageFormat::Webp && (picture.cols > kWebpMaxSide || picture.rows > kWebpMaxSide))
    return ImageFormat::Png;
  return asked;
}

}  // namespace pseg
