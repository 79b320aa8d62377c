#include "data/image_io.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "data/image_codecs.h"
#include "data/jpeg_decode.h"

namespace pseg {
namespace {

bool tail_contains(const std::vector<unsigned char>& b, const std::vector<unsigned char>& marker, size_t tail) {
  const auto from = b.size() > tail ? b.end() - static_cast<std::ptrdiff_t>(tail) : b.begin();
  return std::search(from, b.end(), marker.begin(), marker.end()) != b.end();
}

void check_complete(const std::string& path, const std::vector<unsigned char>& b) {
  static const std::vector<unsigned char> png_sig = {0x89, 'P', 'N', 'G'};
  if (b.size() >= 2 && b[0] == 0xFF && b[1] == 0xD8) {
    // EOI may be followed by a little padding, so look at the tail rather than the last two bytes.
    if (!tail_contains(b, {0xFF, 0xD9}, 64)) throw std::runtime_error(path + ": truncated JPEG (no end-of-image marker)");
  } else if (b.size() >= 4 && std::equal(png_sig.begin(), png_sig.end(), b.begin())) {
    if (!tail_contains(b, {'I', 'E', 'N', 'D'}, 64)) throw std::runtime_error(path + ": truncated PNG (no IEND chunk)");
  }
}

// The scale at which libjpeg decodes a JPEG straight to BGR for these flags (colour, full size or reduced), or 0
// where cv::imdecode does what they ask (other files, grey, unchanged).
int jpeg_scale(const std::vector<unsigned char>& b, int imread_flags) {
  if (b.size() < 3 || b[0] != 0xFF || b[1] != 0xD8 || b[2] != 0xFF) return 0;
  switch (imread_flags) {
    case cv::IMREAD_COLOR: return 1;
    case cv::IMREAD_REDUCED_COLOR_2: return 2;
    case cv::IMREAD_REDUCED_COLOR_4: return 4;
    case cv::IMREAD_REDUCED_COLOR_8: return 8;
    default: return 0;
  }
}

uint32_t be32(const unsigned char* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }
uint32_t le32(const unsigned char* p) { return uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0]; }
uint32_t le24(const unsigned char* p) { return uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0]; }

std::optional<cv::Size> jpeg_size(const std::vector<unsigned char>& b) {
  // Segments from SOI until a start-of-frame marker (SOF0..SOF15 but DHT C4, JPG C8, DAC CC) gives the size.
  size_t i = 2;
  while (i + 4 <= b.size()) {
    if (b[i] != 0xFF) return std::nullopt;
    const unsigned char marker = b[i + 1];
    if (marker == 0xFF) {
      ++i;  // fill byte
      continue;
    }
    const size_t length = size_t(b[i + 2]) << 8 | b[i + 3];
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
      if (i + 9 > b.size()) return std::nullopt;
      return cv::Size(int(size_t(b[i + 7]) << 8 | b[i + 8]), int(size_t(b[i + 5]) << 8 | b[i + 6]));
    }
    if (marker == 0xD9 || marker == 0xDA || length < 2) return std::nullopt;
    i += 2 + length;
  }
  return std::nullopt;
}

std::optional<cv::Size> webp_size(const std::vector<unsigned char>& b) {
  if (b.size() < 30) return std::nullopt;
  const unsigned char* c = b.data() + 12;  // the first chunk
  if (std::equal(c, c + 4, "VP8X")) return cv::Size(int(le24(c + 12) + 1), int(le24(c + 15) + 1));
  if (std::equal(c, c + 4, "VP8L")) {
    const uint32_t bits = le32(c + 9);
    return cv::Size(int((bits & 0x3FFF) + 1), int(((bits >> 14) & 0x3FFF) + 1));
  }
  if (std::equal(c, c + 4, "VP8 ")) return cv::Size(int((c[14] | c[15] << 8) & 0x3FFF), int((c[16] | c[17] << 8) & 0x3FFF));
  return std::nullopt;
}

// Refuses images whose header claims more than kMaxImagePixels before anything is allocated for them.
void check_pixel_count(const std::string& what, const std::vector<unsigned char>& b) {
  const auto size = image_header_size(b);
  if (!size) return;
  const int64_t pixels = int64_t(size->width) * size->height;
  if (pixels > kMaxImagePixels)
    throw std::runtime_error(what + ": image of " + std::to_string(size->width) + "x" + std::to_string(size->height) +
                             " pixels is larger than the limit of " + std::to_string(kMaxImagePixels) + " pixels");
}

}  // namespace

bool is_supported_image(const std::vector<unsigned char>& b) {
  const auto starts = [&](std::initializer_list<unsigned char> sig, size_t at = 0) {
    return b.size() >= at + sig.size() && std::equal(sig.begin(), sig.end(), b.begin() + static_cast<std::ptrdiff_t>(at));
  };
  return starts({0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}) || starts({0xFF, 0xD8, 0xFF}) || starts({'B', 'M'}) ||
         starts({'I', 'I', 0x2A, 0x00}) || starts({'M', 'M', 0x00, 0x2A}) ||
         (starts({'R', 'I', 'F', 'F'}) && starts({'W', 'E', 'B', 'P'}, 8));
}

std::optional<cv::Size> image_header_size(const std::vector<unsigned char>& b) {
  static const unsigned char png_sig[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (b.size() >= 24 && std::equal(png_sig, png_sig + 8, b.begin()) && std::equal(b.begin() + 12, b.begin() + 16, "IHDR"))
    return cv::Size(int(std::min<uint32_t>(be32(&b[16]), INT32_MAX)), int(std::min<uint32_t>(be32(&b[20]), INT32_MAX)));
  if (b.size() >= 4 && b[0] == 0xFF && b[1] == 0xD8) return jpeg_size(b);
  if (b.size() >= 26 && b[0] == 'B' && b[1] == 'M') {
    const auto w = static_cast<int32_t>(le32(&b[18])), h = static_cast<int32_t>(le32(&b[22]));
    // Top-down bitmaps store a negative height.
    const auto abs32 = [](int32_t v) { return v == INT32_MIN ? INT32_MAX : std::abs(v); };
    return cv::Size(abs32(w), abs32(h));
  }
  if (b.size() >= 16 && std::equal(b.begin(), b.begin() + 4, "RIFF") && std::equal(b.begin() + 8, b.begin() + 12, "WEBP"))
    return webp_size(b);
  return std::nullopt;
}

std::vector<unsigned char> read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw std::runtime_error(path + ": file not found");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw std::runtime_error(path + ": cannot read file");
  // One read of the whole size: a byte-by-byte istreambuf_iterator copy took 0.3 ms per 300 kB photo.
  const std::streamoff size = in.tellg();
  if (size < 0) throw std::runtime_error(path + ": cannot read file");
  std::vector<unsigned char> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) throw std::runtime_error(path + ": cannot read file");
  return bytes;
}

cv::Mat decode_image(const std::vector<unsigned char>& bytes, int imread_flags, const std::string& what) {
  if (bytes.empty()) throw std::runtime_error(what + ": empty file");
  // Only the formats of image_extensions() reach OpenCV: its other decoders (DICOM, JPEG 2000, OpenEXR, ...) are
  // attack surface no portrait dataset needs; Debian's GDCM aborts the process on a malformed DICOM header
  // (found by tests/fuzz/fuzz_image.cpp).
  if (!is_supported_image(bytes)) throw std::runtime_error(what + ": not a PNG, JPEG, BMP, TIFF or WebP image");
  check_complete(what, bytes);
  check_pixel_count(what, bytes);
  cv::Mat m;
  if (const int scale = jpeg_scale(bytes, imread_flags); scale > 0) {
    if (auto decoded = decode_jpeg_bgr(bytes, scale, what)) m = std::move(*decoded);
  }
  try {
    if (m.empty()) m = codecs_decode(bytes, imread_flags);
  } catch (const cv::Exception& e) {
    throw std::runtime_error(what + ": cannot decode image (" + e.err + ")");
  } catch (const std::runtime_error& e) {  // the launcher could not load the codecs
    throw std::runtime_error(what + ": " + e.what());
  }
  if (m.empty()) throw std::runtime_error(what + ": cannot decode image");
  if (int64_t(m.total()) > kMaxImagePixels)
    throw std::runtime_error(what + ": image of " + std::to_string(m.cols) + "x" + std::to_string(m.rows) +
                             " pixels is larger than the limit of " + std::to_string(kMaxImagePixels) + " pixels");
  return m;
}

cv::Mat read_image(const std::string& path, int imread_flags) { return decode_image(read_file_bytes(path), imread_flags, path); }

cv::Vec3b voc_palette_bgr(int index) {
  // The VOC colour map spreads the index bits over the three channels, most significant first.
  int r = 0, g = 0, b = 0, c = index;
  for (int j = 0; j < 8; ++j) {
    r |= ((c >> 0) & 1) << (7 - j);
    g |= ((c >> 1) & 1) << (7 - j);
    b |= ((c >> 2) & 1) << (7 - j);
    c >>= 3;
  }
  return cv::Vec3b(static_cast<uchar>(b), static_cast<uchar>(g), static_cast<uchar>(r));
}

cv::Mat read_class_mask(const std::string& path) {
  cv::Mat m = read_image(path, cv::IMREAD_UNCHANGED);
  if (m.depth() != CV_8U) throw std::runtime_error(path + ": expected an 8-bit mask");
  if (m.channels() == 1) return m;
  if (m.channels() == 4) cv::cvtColor(m, m, cv::COLOR_BGRA2BGR);
  if (m.channels() != 3) throw std::runtime_error(path + ": unsupported mask with " + std::to_string(m.channels()) + " channels");
  std::vector<cv::Mat> ch;
  cv::split(m, ch);
  if (cv::countNonZero(ch[0] != ch[1]) == 0 && cv::countNonZero(ch[1] != ch[2]) == 0) return ch[0];

  static const std::unordered_map<uint32_t, uint8_t> index_of = [] {
    std::unordered_map<uint32_t, uint8_t> map;
    for (int i = 0; i < 256; ++i) {
      const cv::Vec3b c = voc_palette_bgr(i);
      map.emplace((uint32_t(c[0]) << 16) | (uint32_t(c[1]) << 8) | c[2], static_cast<uint8_t>(i));
    }
    return map;
  }();
  cv::Mat out(m.size(), CV_8UC1);
  for (int y = 0; y < m.rows; ++y) {
    const auto* src = m.ptr<cv::Vec3b>(y);
    auto* dst = out.ptr<uint8_t>(y);
    for (int x = 0; x < m.cols; ++x) {
      const auto it = index_of.find((uint32_t(src[x][0]) << 16) | (uint32_t(src[x][1]) << 8) | src[x][2]);
      if (it == index_of.end())
        throw std::runtime_error(path + ": colour mask with a colour outside the VOC palette at (" + std::to_string(x) +
                                 "," + std::to_string(y) + ")");
      dst[x] = it->second;
    }
  }
  return out;
}

}  // namespace pseg
