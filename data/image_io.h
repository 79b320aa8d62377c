#pragma once
// Reading image and mask files with checks that name the file: missing, unreadable, truncated, undecodable.
#include <opencv2/core.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pseg {

// The whole file; throws std::runtime_error "<path>: file not found" / "cannot read file".
std::vector<unsigned char> read_file_bytes(const std::string& path);

// The most pixels an image may have (16384 x 8192, 134 megapixels: 400 MB decoded). Larger images, and files whose
// header claims more (decompression bombs), are refused before decoding.
constexpr int64_t kMaxImagePixels = int64_t{1} << 27;

// Whether the bytes start with the signature of a PNG, JPEG, BMP, TIFF or WebP file (image_extensions() in
// data/file_walk.h): the only formats decode_image hands to OpenCV.
bool is_supported_image(const std::vector<unsigned char>& bytes);

// Width and height from a PNG, JPEG, BMP or WebP header, without decoding; nullopt for other formats or a header
// too short or malformed to say.
std::optional<cv::Size> image_header_size(const std::vector<unsigned char>& bytes);

// Decodes an image file's bytes with cv::imdecode after the checks below, colour JPEGs (full size or reduced) with
// libjpeg directly (data/jpeg_decode.h: the same pixels, faster); `what` names the file in errors. Files of other
// formats are refused.
// JPEG and PNG files are first checked for their end marker (EOI / IEND), because OpenCV decodes a truncated JPEG
// into a partly grey image without failing; images over kMaxImagePixels are refused from their header.
cv::Mat decode_image(const std::vector<unsigned char>& bytes, int imread_flags, const std::string& what);

// read_file_bytes + decode_image.
cv::Mat read_image(const std::string& path, int imread_flags);

// A class-index mask as CV_8UC1: grey masks as stored; colour masks whose channels are equal as one channel;
// other colour masks (palette PNGs, which OpenCV decodes to colours) mapped back to VOC palette indices.
cv::Mat read_class_mask(const std::string& path);

// Colour of a VOC palette index, BGR as OpenCV decodes it (15 = person (128,128,192), 255 = void (192,224,224)).
cv::Vec3b voc_palette_bgr(int index);

}  // namespace pseg
