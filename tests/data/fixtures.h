#pragma once
// Tiny datasets written by the tests themselves, one writer per on-disk format: 64x48 images of a textured
// background with a drawn ellipse as the "person", whose position and size vary with the index.
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace pseg::test {

constexpr int kFixtureWidth = 64;
constexpr int kFixtureHeight = 48;

inline cv::RotatedRect fixture_ellipse(int i) {
  return cv::RotatedRect(cv::Point2f(24.f + 2 * (i % 8), 26.f), cv::Size2f(20.f + i % 5, 30.f), 0.f);
}

// The person mask with values 0 / `person`.
inline cv::Mat fixture_mask(int i, uint8_t person = 1) {
  cv::Mat m(kFixtureHeight, kFixtureWidth, CV_8UC1, cv::Scalar(0));
  cv::ellipse(m, fixture_ellipse(i), cv::Scalar(person), cv::FILLED);
  return m;
}

inline cv::Mat fixture_image(int i) {
  cv::Mat img(kFixtureHeight, kFixtureWidth, CV_8UC3);
  for (int y = 0; y < img.rows; ++y)
    for (int x = 0; x < img.cols; ++x)
      img.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(40 + 2 * x), static_cast<uchar>(60 + 3 * y), static_cast<uchar>(17 * i));
  cv::ellipse(img, fixture_ellipse(i), cv::Scalar(30, 120, 220), cv::FILLED);
  return img;
}

// Fraction of pixels inside the ellipse of image i.
inline double fixture_foreground(int i) {
  return cv::countNonZero(fixture_mask(i)) / static_cast<double>(kFixtureWidth * kFixtureHeight);
}

inline void write_image(const std::filesystem::path& p, const cv::Mat& m) {
  std::filesystem::create_directories(p.parent_path());
  if (!cv::imwrite(p.string(), m)) throw std::runtime_error("cannot write fixture " + p.string());
}

inline std::string stem(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%05d", i + 1);
  return buf;
}

// <dir>/images/<stem>.png + <dir>/masks/<stem>.png with person = `person`.
inline void write_folders(const std::filesystem::path& dir, int n, uint8_t person = 255) {
  for (int i = 0; i < n; ++i) {
    write_image(dir / "images" / (stem(i) + (i % 2 ? ".jpg" : ".png")), fixture_image(i));
    write_image(dir / "masks" / (stem(i) + ".png"), fixture_mask(i, person));
  }
}

// PaddleSeg list: images/<stem>.jpg annotations/<stem>.png (class 1 = person, a 255 ignore border), train.txt.
inline void write_list(const std::filesystem::path& root, int n) {
  std::string lines;
  for (int i = 0; i < n; ++i) {
    cv::Mat m = fixture_mask(i, 1);
    cv::rectangle(m, cv::Rect(0, 0, kFixtureWidth, kFixtureHeight), cv::Scalar(255), 1);
    write_image(root / "images" / (stem(i) + ".jpg"), fixture_image(i));
    write_image(root / "annotations" / (stem(i) + ".png"), m);
    lines += "images/" + stem(i) + ".jpg annotations/" + stem(i) + ".png\n";
  }
  write_text(root / "train.txt", lines);
}

// PortraitNet layout: Images/<n>.png, Labels/<n>.png (person = 1, plus stray value 2 that must read as background).
inline void write_eg1800_portraitnet(const std::filesystem::path& root, int n) {
  std::string list;
  for (int i = 0; i < n; ++i) {
    cv::Mat m = fixture_mask(i, 1);
    m(cv::Rect(0, 0, 4, 4)).setTo(2);
    write_image(root / "Images" / (stem(i) + ".png"), fixture_image(i));
    write_image(root / "Labels" / (stem(i) + ".png"), m);
    list += stem(i) + ".png\n";
  }
  write_text(root / "eg1800_train.txt", list);
}

// SINet layout: images_data_crop/<id5>.jpg, GT_png/<id5>_mask.png (person = 255), train.txt of integer ids.
inline void write_eg1800_sinet(const std::filesystem::path& root, int n) {
  std::string list;
  for (int i = 0; i < n; ++i) {
    write_image(root / "images_data_crop" / (stem(i) + ".jpg"), fixture_image(i));
    write_image(root / "GT_png" / (stem(i) + "_mask.png"), fixture_mask(i, 255));
    list += std::to_string(i + 1) + "\n";
  }
  write_text(root / "train.txt", list);
}

// The alpha used for image i: 255 inside the ellipse, 100 in a soft band around it, 0 outside.
inline cv::Mat fixture_alpha(int i) {
  cv::Mat a(kFixtureHeight, kFixtureWidth, CV_8UC1, cv::Scalar(0));
  const cv::RotatedRect e = fixture_ellipse(i);
  cv::ellipse(a, cv::RotatedRect(e.center, cv::Size2f(e.size.width + 6, e.size.height + 6), 0.f), cv::Scalar(100), cv::FILLED);
  cv::ellipse(a, e, cv::Scalar(255), cv::FILLED);
  return a;
}

// AISegment: clip_img/<g>/clip_0000000k/<g>-<id>.jpg with RGBA mattes under matting/.
inline void write_aisegment(const std::filesystem::path& root, int n) {
  for (int i = 0; i < n; ++i) {
    const std::string group = i < n / 2 ? "1803151818" : "1803191139";
    const std::string sub = "0000000" + std::to_string(i % 2);
    const std::string id = group + "-" + stem(i);
    cv::Mat bgra;
    cv::cvtColor(fixture_image(i), bgra, cv::COLOR_BGR2BGRA);
    cv::insertChannel(fixture_alpha(i), bgra, 3);
    write_image(root / "clip_img" / group / ("clip_" + sub) / (id + ".jpg"), fixture_image(i));
    write_image(root / "matting" / group / ("matting_" + sub) / (id + ".png"), bgra);
  }
}

// VOC palette colours (BGR as OpenCV decodes them).
const cv::Vec3b kVocPersonBgr(128, 128, 192);
const cv::Vec3b kVocVoidBgr(192, 224, 224);
const cv::Vec3b kVocChairBgr(0, 0, 192);

// VOC: JPEGImages/<id>.jpg, SegmentationClass/<id>.png with person, a void outline and a chair.
inline void write_voc(const std::filesystem::path& root, int n) {
  for (int i = 0; i < n; ++i) {
    cv::Mat m(kFixtureHeight, kFixtureWidth, CV_8UC3, cv::Scalar(0, 0, 0));
    m.setTo(cv::Scalar(kVocPersonBgr), fixture_mask(i));
    cv::ellipse(m, fixture_ellipse(i), cv::Scalar(kVocVoidBgr), 1);
    cv::rectangle(m, cv::Rect(50, 30, 10, 10), cv::Scalar(kVocChairBgr), cv::FILLED);
    write_image(root / "JPEGImages" / (stem(i) + ".jpg"), fixture_image(i));
    write_image(root / "SegmentationClass" / (stem(i) + ".png"), m);
  }
}

inline std::string base64(const std::vector<unsigned char>& in) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    const uint32_t v = (uint32_t(in[i]) << 16) | (i + 1 < in.size() ? uint32_t(in[i + 1]) << 8 : 0) |
                       (i + 2 < in.size() ? uint32_t(in[i + 2]) : 0);
    out += a[(v >> 18) & 63];
    out += a[(v >> 12) & 63];
    out += i + 1 < in.size() ? a[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? a[v & 63] : '=';
  }
  return out;
}

// base64(zlib(PNG)) of an RGBA bitmap whose alpha is `alpha`, as Supervisely stores person_bmp objects.
// The base64 of zlib-compressed bytes, as a Supervisely bitmap's "data".
inline std::string supervisely_bitmap_bytes(const std::vector<unsigned char>& png) {
  std::vector<unsigned char> z(compressBound(static_cast<uLong>(png.size())));
  uLongf zn = static_cast<uLongf>(z.size());
  compress(z.data(), &zn, png.data(), static_cast<uLong>(png.size()));
  z.resize(zn);
  return base64(z);
}

inline std::string supervisely_bitmap(const cv::Mat& alpha) {
  cv::Mat bgra(alpha.size(), CV_8UC4, cv::Scalar(255, 255, 255, 0));
  cv::insertChannel(alpha, bgra, 3);
  std::vector<unsigned char> png;
  cv::imencode(".png", bgra, png);
  return supervisely_bitmap_bytes(png);
}

// The expected label of the Supervisely fixture: a polygon rectangle (8..30 x 8..40) with a hole
// (14..20 x 16..24) plus a 10x8 bitmap pasted at (40, 20).
inline cv::Mat supervisely_expected_label() {
  cv::Mat m(kFixtureHeight, kFixtureWidth, CV_8UC1, cv::Scalar(0));
  cv::fillPoly(m, std::vector<std::vector<cv::Point>>{{{8, 8}, {30, 8}, {30, 40}, {8, 40}}}, cv::Scalar(1));
  cv::fillPoly(m, std::vector<std::vector<cv::Point>>{{{14, 16}, {20, 16}, {20, 24}, {14, 24}}}, cv::Scalar(0));
  m(cv::Rect(40, 20, 10, 8)).setTo(1);
  return m;
}

// Supervisely project: ds1/img/<name>.jpg with ds1/ann/<name>.jpg.json (newer naming) and ds2 with the older
// <stem>.json naming. Every annotation holds the polygon with a hole, a bitmap and a non-person object.
inline void write_supervisely(const std::filesystem::path& root, int n) {
  write_text(root / "meta.json", R"({"classes": [{"title": "person_poly"}, {"title": "person_bmp"}]})");
  cv::Mat bitmap_alpha(8, 10, CV_8UC1, cv::Scalar(255));
  const std::string bitmap = supervisely_bitmap(bitmap_alpha);
  for (int i = 0; i < n; ++i) {
    const std::string ds = i % 2 ? "ds2" : "ds1";
    const std::string name = stem(i) + ".jpg";
    nlohmann::json ann = {
        {"size", {{"height", kFixtureHeight}, {"width", kFixtureWidth}}},
        {"objects",
         {{{"classTitle", "person_poly"},
           {"geometryType", "polygon"},
           {"points", {{"exterior", {{8, 8}, {30, 8}, {30, 40}, {8, 40}}}, {"interior", {{{14, 16}, {20, 16}, {20, 24}, {14, 24}}}}}}},
          {{"classTitle", "person_bmp"}, {"geometryType", "bitmap"}, {"bitmap", {{"data", bitmap}, {"origin", {40, 20}}}}},
          {{"classTitle", "car"},
           {"geometryType", "polygon"},
           {"points", {{"exterior", {{0, 0}, {5, 0}, {5, 5}}}, {"interior", nlohmann::json::array()}}}}}}};
    write_image(root / ds / "img" / name, fixture_image(i));
    write_text(root / ds / "ann" / (i % 2 ? stem(i) + ".json" : name + ".json"), ann.dump());
  }
}

}  // namespace pseg::test
