#pragma once
// The PNG encoder of the pictures `test` writes and `serve` answers with (core/infer/image_format.h), instead of
// OpenCV's libpng and zlib, which spent 39 ms on a 1-megapixel RGBA cut-out where libdeflate takes 22 ms for a file
// 8 % smaller (docs/performance.md). Rows with the SUB filter, one IDAT stream, no interlacing, no ancillary chunks.
#include <opencv2/core.hpp>

#include <optional>
#include <string>

namespace pseg {

// A non-empty 8-bit grey, BGR or BGRA image: what encode_png (and encode_image, core/infer/image_format.h) take.
bool is_8bit_picture(const cv::Mat& image);

// How colour pictures are compressed: Small with libdeflate's fastest level; Fast with Huffman codes alone
// (core/infer/rle_deflate.h), about 3 times faster for files about 10 % larger. Grey pictures (masks) take runs
// and Huffman codes either way: faster than libdeflate and about as small.
enum class PngCompression { Small, Fast };
// "small", "fast"; nullopt for anything else.
std::optional<PngCompression> png_compression_named(const std::string& name);

// `image`: 8-bit grey, BGR or BGRA (OpenCV's order), any size from 1x1. Returns the bytes of a PNG of colour type
// grey, RGB or RGBA that decodes to exactly these pixels. Throws std::invalid_argument for any other type or an
// empty image.
std::string encode_png(const cv::Mat& image, PngCompression compression = PngCompression::Small);

}  // namespace pseg
