#pragma once
// The picture formats `test` writes and `serve` answers in, each with its one encoding: PNG (small or fast:
// core/infer/png_encode.h), JPEG (quality 90), WebP (quality 90, or lossless for a picture with alpha, which it
// then keeps exactly).
#include <opencv2/core.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/infer/png_encode.h"

namespace pseg {

enum class ImageFormat { Png, Jpg, Webp };

// "png", "jpg" (or "jpeg"), "webp"; nullopt for anything else.
std::optional<ImageFormat> image_format_named(const std::string& name);
// ".png", ".jpg", ".webp"
std::string extension_of(ImageFormat format);
std::string content_type_of(ImageFormat format);
// `image` (8-bit grey, BGR or BGRA) encoded in `format`, a PNG compressed as `png` says. Throws std::runtime_error
// naming the format when it cannot be encoded, std::invalid_argument for an image of another type.
std::string encode_image(const cv::Mat& image, ImageFormat format, PngCompression png = PngCompression::Small);

// `asked`, or PNG where `asked` cannot hold `picture`: JPEG has no alpha, and WebP no side over 16383 pixels.
ImageFormat format_that_holds(ImageFormat asked, const cv::Mat& picture);

}  // namespace pseg
