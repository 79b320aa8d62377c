// `supervisely`: a Supervisely project, <dataset>/img/<name> with <dataset>/ann/<name>.json (older exports:
// <stem>.json). person_poly and neutral polygons are filled (interior holes cleared), person_bmp bitmaps
// (base64 of zlib of a PNG whose alpha is the mask) are pasted at their origin; the union is the person.
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <zlib.h>

#include <fstream>
#include <stdexcept>

#include "data/file_walk.h"
#include "data/image_io.h"
#include "data/pair_decode.h"

namespace pseg {
namespace {

std::vector<unsigned char> base64_decode(const std::string& text) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<unsigned char> out;
  uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    const auto v = alphabet.find(c);
    if (v == std::string::npos) throw std::runtime_error("invalid base64 character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<unsigned char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

// Inflates at most `max_bytes`: a bitmap cannot hold more than its image, so more is a zip bomb.
std::vector<unsigned char> inflate_all(const std::vector<unsigned char>& in, size_t max_bytes) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) throw std::runtime_error("zlib init failed");
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  std::vector<unsigned char> out;
  unsigned char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = buf;
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.insert(out.end(), buf, buf + (sizeof(buf) - zs.avail_out));
    if (out.size() > max_bytes) {
      inflateEnd(&zs);
      throw std::runtime_error("bitmap inflates to more than " + std::to_string(max_bytes) + " bytes");
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) rc = Z_DATA_ERROR;  // input ended early
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("invalid zlib data");
  return out;
}

std::vector<cv::Point> to_points(const nlohmann::json& pts) {
  std::vector<cv::Point> out;
  for (const auto& p : pts) out.emplace_back(cvRound(p.at(0).get<double>()), cvRound(p.at(1).get<double>()));
  return out;
}

cv::Mat polygon_mask(const nlohmann::json& points, cv::Size size) {
  cv::Mat m(size, CV_8UC1, cv::Scalar(0));
  cv::fillPoly(m, std::vector<std::vector<cv::Point>>{to_points(points.at("exterior"))}, cv::Scalar(1));
  if (points.contains("interior"))
    for (const auto& hole : points.at("interior"))
      cv::fillPoly(m, std::vector<std::vector<cv::Point>>{to_points(hole)}, cv::Scalar(0));
  return m;
}

cv::Mat bitmap_mask(const nlohmann::json& bitmap, cv::Size size) {
  // A PNG of the whole image, 4 channels, stored uncompressed, plus its chunks: the most a bitmap can take.
  const size_t max_bytes = static_cast<size_t>(size.area()) * 5 + 65536;
  const cv::Mat png = decode_image(inflate_all(base64_decode(bitmap.at("data").get<std::string>()), max_bytes),
                                   cv::IMREAD_UNCHANGED, "bitmap");
  if (png.depth() != CV_8U) throw std::runtime_error("bitmap is not an 8-bit PNG");
  cv::Mat alpha;
  cv::extractChannel(png, alpha, png.channels() == 4 ? 3 : 0);
  const int x = bitmap.at("origin").at(0).get<int>(), y = bitmap.at("origin").at(1).get<int>();
  cv::Mat m(size, CV_8UC1, cv::Scalar(0));
  const cv::Rect dst = cv::Rect(x, y, alpha.cols, alpha.rows) & cv::Rect(0, 0, size.width, size.height);
  if (dst.area() > 0) {
    const cv::Mat hit = alpha(cv::Rect(dst.x - x, dst.y - y, dst.width, dst.height)) > 0;
    m(dst).setTo(1, hit);
  }
  return m;
}

class SuperviselyReader : public FormatReader {
 public:
  explicit SuperviselyReader(const SourceConfig& c) : root_(c.root) { require_option(root_, "supervisely source: root"); }

  std::vector<PairRef> list() const override {
    namespace fs = std::filesystem;
    std::vector<PairRef> out;
    for (const auto& image : list_images(root_, true)) {
      if (image.parent_path().filename() != "img") continue;
      const fs::path ann = image.parent_path().parent_path() / "ann";
      fs::path json = ann / (image.filename().string() + ".json");
      if (!fs::exists(json) && fs::exists(ann / (image.stem().string() + ".json"))) json = ann / (image.stem().string() + ".json");
      out.push_back({image.string(), json.string(), ""});
    }
    return out;
  }

  Sample load(const PairRef& pair) const override {
    Sample s;
    s.id = pair.image;
    s.image = read_image(pair.image, cv::IMREAD_COLOR);
    const auto bytes = read_file_bytes(pair.mask);
    const auto ann = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
    if (ann.is_discarded()) throw std::runtime_error(pair.mask + ": invalid annotation JSON");
    try {
      const cv::Size size(ann.at("size").at("width").get<int>(), ann.at("size").at("height").get<int>());
      // Before anything of that size is allocated.
      if (size != s.image.size())
        throw std::runtime_error("annotation size " + std::to_string(size.width) + "x" + std::to_string(size.height) +
                                 " differs from the image's " + std::to_string(s.image.cols) + "x" +
                                 std::to_string(s.image.rows));
      s.label = cv::Mat(size, CV_8UC1, cv::Scalar(kLabelBackground));
      for (const auto& obj : ann.at("objects")) {
        const std::string cls = obj.at("classTitle").get<std::string>();
        if (cls == "person_poly" || cls == "neutral") cv::bitwise_or(s.label, polygon_mask(obj.at("points"), size), s.label);
        else if (cls == "person_bmp") cv::bitwise_or(s.label, bitmap_mask(obj.at("bitmap"), size), s.label);
      }
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(pair.mask + ": malformed annotation (" + e.what() + ")");
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(pair.mask + ": " + e.what());
    }
    check_label_size(s, pair.mask);
    return s;
  }

 private:
  std::string root_;
};

}  // namespace

FormatEntry supervisely_format() {
  return {"supervisely", "Supervisely JSON annotations with bitmap masks", {"root"},
          [](const SourceConfig& c) -> std::unique_ptr<FormatReader> { return std::make_unique<SuperviselyReader>(c); }};
}

}  // namespace pseg
