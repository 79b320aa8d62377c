#include "data/image_io.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unordered_map>

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

}  // namespace

std::vector<unsigned char> read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw std::runtime_error(path + ": file not found");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read file");
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error(path + ": cannot read file");
  return bytes;
}

cv::Mat read_image(const std::string& path, int imread_flags) {
  const auto bytes = read_file_bytes(path);
  if (bytes.empty()) throw std::runtime_error(path + ": empty file");
  check_complete(path, bytes);
  cv::Mat m = cv::imdecode(bytes, imread_flags);
  if (m.empty()) throw std::runtime_error(path + ": cannot decode image");
  return m;
}

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
