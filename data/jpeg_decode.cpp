#include "data/jpeg_decode.h"

#include <cstdio>  // before jpeglib.h, which uses FILE

#include <jpeglib.h>
#include <opencv2/core.hpp>

#include <algorithm>
#include <csetjmp>
#include <cstdint>
#include <stdexcept>

#include "data/image_io.h"

namespace pseg {
namespace {

// libjpeg reports an error by calling error_exit, which must not return: it jumps back to decode_into.
struct ErrorManager {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void on_error(j_common_ptr c) {
  auto* e = reinterpret_cast<ErrorManager*>(c->err);
  (*c->err->format_message)(c, e->message);
  std::longjmp(e->jump, 1);
}

// Warnings (corrupt data libjpeg decodes through) are ignored, as cv::imdecode ignores them.
void on_message(j_common_ptr, int) {}

enum class Decoded { Done, NotBgr, Failed };

// The decoding itself, with no C++ object of its own for a jump to skip; what it changes after setjmp lives in the
// caller's frame. `out` is allocated once the size is known.
Decoded decode_into(const unsigned char* data, size_t size, int scale, jpeg_decompress_struct* cinfo, cv::Mat* out,
                    ErrorManager* error) {
  jpeg_decompress_struct& c = *cinfo;
  c.err = jpeg_std_error(&error->manager);
  error->manager.error_exit = on_error;
  error->manager.emit_message = on_message;
  if (setjmp(error->jump)) {
    jpeg_destroy_decompress(&c);
    return Decoded::Failed;
  }
  jpeg_create_decompress(&c);
  jpeg_mem_src(&c, data, static_cast<unsigned long>(size));
  jpeg_read_header(&c, TRUE);
  // The frame's own size, whatever decode_image's look at the header found: libjpeg takes up to 65500 x 65500.
  if (static_cast<uint64_t>(c.image_width) * c.image_height > static_cast<uint64_t>(kMaxImagePixels)) {
    std::snprintf(error->message, sizeof error->message, "image of %ux%u pixels is larger than the limit of %lld pixels",
                  static_cast<unsigned>(c.image_width), static_cast<unsigned>(c.image_height),
                  static_cast<long long>(kMaxImagePixels));
    jpeg_destroy_decompress(&c);
    return Decoded::Failed;
  }
  if (c.num_components == 4) {
    jpeg_destroy_decompress(&c);
    return Decoded::NotBgr;
  }
  c.out_color_space = JCS_EXT_BGR;
  c.scale_num = 1;
  c.scale_denom = static_cast<unsigned>(scale);
  jpeg_start_decompress(&c);
  try {
    out->create(static_cast<int>(c.output_height), static_cast<int>(c.output_width), CV_8UC3);
  } catch (...) {
    jpeg_destroy_decompress(&c);
    throw;
  }
  constexpr int kRowsAtOnce = 16;  // libjpeg hands out up to a whole block row (rec_outbuf_height) per call
  while (c.output_scanline < c.output_height) {
    JSAMPROW rows[kRowsAtOnce];
    const int first = static_cast<int>(c.output_scanline);
    const int count = std::min<int>(kRowsAtOnce, static_cast<int>(c.output_height) - first);
    for (int i = 0; i < count; ++i) rows[i] = out->ptr<unsigned char>(first + i);
    jpeg_read_scanlines(&c, rows, static_cast<JDIMENSION>(count));
  }
  jpeg_finish_decompress(&c);
  jpeg_destroy_decompress(&c);
  return Decoded::Done;
}

// OpenCV 4.6's reading of a TIFF header and its first IFD (ExifReader): little-endian only for "II", big-endian
// for anything else; the Orientation entry's SHORT wherever it is among entries that fit the segment.
int orientation_in_tiff(const unsigned char* t, size_t n) {
  if (n < 8) return 1;
  const bool little = t[0] == 'I' && t[1] == 'I';
  const auto u16 = [&](size_t at) { return little ? t[at] | t[at + 1] << 8 : t[at] << 8 | t[at + 1]; };
  const auto u32 = [&](size_t at) {
    return static_cast<size_t>(little ? u16(at) | static_cast<uint32_t>(u16(at + 2)) << 16
                                      : static_cast<uint32_t>(u16(at)) << 16 | u16(at + 2));
  };
  if (u16(2) != 42) return 1;
  const size_t ifd = u32(4);
  if (ifd > n || n - ifd < 2) return 1;
  const size_t entries = static_cast<size_t>(u16(ifd));
  for (size_t k = 0; k < entries; ++k) {
    const size_t e = ifd + 2 + 12 * k;
    if (e + 12 > n) return 1;
    if (u16(e) != 0x0112) continue;  // Orientation
    const int value = u16(e + 8);     // a SHORT, left-aligned in the value field
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

// `image` turned from its stored to its shown orientation (`orientation` as in EXIF; others leave it as it is), as
// OpenCV 4.6 turns it.
cv::Mat apply_exif_orientation(const cv::Mat& image, int orientation) {
  cv::Mat out;
  switch (orientation) {
    case 2: cv::flip(image, out, 1); return out;             // mirrored
    case 3: cv::flip(image, out, -1); return out;            // upside down
    case 4: cv::flip(image, out, 0); return out;             // mirrored top to bottom
    case 5: cv::transpose(image, out); return out;           // mirrored, turned a quarter anticlockwise
    case 6: cv::rotate(image, out, cv::ROTATE_90_CLOCKWISE); return out;
    case 7: cv::transpose(image, out), cv::flip(out, out, -1); return out;
    case 8: cv::rotate(image, out, cv::ROTATE_90_COUNTERCLOCKWISE); return out;
    default: return image;
  }
}

}  // namespace

int jpeg_exif_orientation(const std::vector<unsigned char>& b) {
  size_t i = 2;  // after SOI
  while (i + 4 <= b.size() && b[i] == 0xFF) {
    const unsigned marker = b[i + 1];
    if (marker == 0xFF) {  // fill byte
      ++i;
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) break;  // the first scan, or the end: no EXIF after it
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // markers without a length
      i += 2;
      continue;
    }
    const size_t length = static_cast<size_t>(b[i + 2]) << 8 | b[i + 3];
    if (length < 2 || length > b.size() - i - 2) break;
    // As OpenCV 4.6: the first APP1 segment, whatever its signature (Exif's "Exif\0\0" is 6 bytes).
    if (marker == 0xE1) return length > 8 ? orientation_in_tiff(b.data() + i + 10, length - 8) : 1;
    i += 2 + length;
  }
  return 1;
}

std::optional<cv::Mat> decode_jpeg_bgr(const std::vector<unsigned char>& jpeg, int scale, const std::string& what) {
  if (scale != 1 && scale != 2 && scale != 4 && scale != 8)
    throw std::invalid_argument("decode_jpeg_bgr: scale " + std::to_string(scale) + ": expected 1, 2, 4 or 8");
  cv::Mat image;
  ErrorManager error{};
  jpeg_decompress_struct decompressor{};
  switch (decode_into(jpeg.data(), jpeg.size(), scale, &decompressor, &image, &error)) {
    case Decoded::NotBgr: return std::nullopt;
    case Decoded::Failed: throw std::runtime_error(what + ": cannot decode image (" + error.message + ")");
    case Decoded::Done: break;
  }
  return apply_exif_orientation(image, jpeg_exif_orientation(jpeg));
}

}  // namespace pseg
