// decode_jpeg_bgr (data/jpeg_decode.h) against cv::imdecode, which decodes with the same libjpeg and turns by the
// EXIF orientation on its own: the same pixels for baseline, progressive, full-chroma and grey JPEGs at every scale,
// for every orientation; four-channel files are left to OpenCV (decode_image falls back); broken files fail naming the file.
#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdio>  // before jpeglib.h

#include <jpeglib.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/image_io.h"
#include "data/jpeg_decode.h"
#include "tests/data/exif_test_util.h"

using namespace pseg;

namespace {

using Bytes = std::vector<unsigned char>;

// A photo-like picture: smooth colour gradients, an ellipse and some noise.
cv::Mat picture(cv::Size size, int channels = 3) {
  cv::Mat m(size, CV_8UC3);
  for (int y = 0; y < size.height; ++y)
    for (int x = 0; x < size.width; ++x)
      m.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(x * 255 / size.width), static_cast<uchar>(y * 255 / size.height),
                                        static_cast<uchar>((x + y) % 256));
  cv::ellipse(m, cv::Point(size.width / 2, size.height / 2), cv::Size(size.width / 4, size.height / 3), 0, 0, 360,
              cv::Scalar(30, 160, 220), -1);
  cv::Mat noise(size, CV_8UC3);
  cv::randu(noise, 0, 24);
  m += noise;
  if (channels == 1) cv::cvtColor(m, m, cv::COLOR_BGR2GRAY);
  return m;
}

Bytes encode(const cv::Mat& m, std::vector<int> params = {cv::IMWRITE_JPEG_QUALITY, 90}) {
  Bytes out;
  REQUIRE(cv::imencode(".jpg", m, out, params));
  return out;
}

int imread_flags(int scale) {
  switch (scale) {
    case 2: return cv::IMREAD_REDUCED_COLOR_2;
    case 4: return cv::IMREAD_REDUCED_COLOR_4;
    case 8: return cv::IMREAD_REDUCED_COLOR_8;
    default: return cv::IMREAD_COLOR;
  }
}

void check_as_opencv(const Bytes& jpeg, int scale) {
  INFO("scale 1/" << scale);
  const auto ours = decode_jpeg_bgr(jpeg, scale, "photo.jpg");
  REQUIRE(ours.has_value());
  const cv::Mat theirs = cv::imdecode(jpeg, imread_flags(scale));
  REQUIRE(ours->type() == CV_8UC3);
  REQUIRE(ours->size() == theirs.size());
  CHECK(cv::norm(*ours, theirs, cv::NORM_INF) == 0);
  // decode_image takes this path for the same flags.
  CHECK(cv::norm(decode_image(jpeg, imread_flags(scale), "photo.jpg"), theirs, cv::NORM_INF) == 0);
}

// What OpenCV 4.6 cannot write, through libjpeg's compressor: a BGR picture with the luma sampled `h` x `v` times
// as finely as the chroma (1 x 1: 4:4:4, 2 x 1: 4:2:2), or, from a 4-channel picture, a CMYK file.
Bytes libjpeg_encode(const cv::Mat& m, int h = 2, int v = 2) {
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &buffer, &size);
  c.image_width = static_cast<JDIMENSION>(m.cols);
  c.image_height = static_cast<JDIMENSION>(m.rows);
  c.input_components = m.channels();
  c.in_color_space = m.channels() == 4 ? JCS_CMYK : JCS_EXT_BGR;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 90, TRUE);
  if (m.channels() == 3) c.comp_info[0].h_samp_factor = h, c.comp_info[0].v_samp_factor = v;
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<unsigned char*>(m.ptr<unsigned char>(static_cast<int>(c.next_scanline)));
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  Bytes out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

}  // namespace

TEST_CASE("decode_jpeg_bgr: the pixels of cv::imdecode at every scale", "[data][jpeg_decode]") {
  for (const cv::Size size : {cv::Size(1152, 896), cv::Size(301, 203), cv::Size(17, 9), cv::Size(1, 1)}) {
    INFO(size);
    const cv::Mat m = picture(size);
    for (int scale : {1, 2, 4, 8}) check_as_opencv(encode(m), scale);
    SECTION("progressive") {
      for (int scale : {1, 4}) check_as_opencv(encode(m, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}), scale);
    }
    SECTION("4:4:4 and 4:2:2 chroma") {
      for (int h : {1, 2})
        for (int scale : {1, 2}) check_as_opencv(libjpeg_encode(m, h, 1), scale);
    }
    SECTION("grey") {
      for (int scale : {1, 8}) check_as_opencv(encode(picture(size, 1)), scale);
    }
  }
}

TEST_CASE("decode_jpeg_bgr: every EXIF orientation turns the picture as OpenCV turns it", "[data][jpeg_decode]") {
  const Bytes plain = encode(picture(cv::Size(64, 40)));
  CHECK(jpeg_exif_orientation(plain) == 1);
  for (unsigned char orientation = 1; orientation <= 8; ++orientation) {
    INFO("orientation " << int(orientation));
    const Bytes jpeg = test::with_exif_orientation(plain, orientation);
    CHECK(jpeg_exif_orientation(jpeg) == orientation);
    for (int scale : {1, 4}) check_as_opencv(jpeg, scale);
    const cv::Mat shown = *decode_jpeg_bgr(jpeg, 1, "photo.jpg");
    CHECK(shown.size() == (orientation >= 5 ? cv::Size(40, 64) : cv::Size(64, 40)));
  }
  // Out of range, or an EXIF segment too short to hold its entry: as stored.
  CHECK(jpeg_exif_orientation(test::with_exif_orientation(plain, 9)) == 1);
  Bytes cut = test::with_exif_orientation(plain, 6);
  cut[5] = 14;  // the APP1 length now ends inside the IFD entry
  CHECK(jpeg_exif_orientation(cut) == 1);
  check_as_opencv(cut, 1);
  // OpenCV reads the first APP1 only, whatever its signature: an XMP segment before the Exif one hides it.
  const Bytes exif = test::with_exif_orientation(plain, 6);
  const Bytes xmp = {0xFF, 0xE1, 0, 16, 'h', 't', 't', 'p', ':', '/', '/', 'n', 's', '.', 'a', 'd', 'o', 'b'};
  Bytes xmp_first(exif.begin(), exif.begin() + 2);
  xmp_first.insert(xmp_first.end(), xmp.begin(), xmp.end());
  xmp_first.insert(xmp_first.end(), exif.begin() + 2, exif.end());
  CHECK(jpeg_exif_orientation(xmp_first) == 1);
  check_as_opencv(xmp_first, 1);
  Bytes unsigned_exif = exif;  // "Exif\0\0" spelled otherwise: still read
  unsigned_exif[6] = 'e';
  CHECK(jpeg_exif_orientation(unsigned_exif) == 6);
  check_as_opencv(unsigned_exif, 1);
}

TEST_CASE("decode_jpeg_bgr: a frame over the pixel limit is refused before anything is allocated",
          "[data][jpeg_decode]") {
  Bytes bomb = encode(picture(cv::Size(16, 16)));
  bool found = false;
  for (size_t i = 2; i + 8 < bomb.size() && !found; ++i)
    if (bomb[i] == 0xFF && bomb[i + 1] == 0xC0) {  // SOF0: precision, then height and width
      bomb[i + 5] = bomb[i + 7] = 0xFF, bomb[i + 6] = bomb[i + 8] = 0x00;  // 65280 x 65280
      found = true;
    }
  REQUIRE(found);
  try {
    decode_jpeg_bgr(bomb, 1, "bomb.jpg");
    FAIL("a 65280 x 65280 frame was decoded");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Matchers::Contains("bomb.jpg") && Catch::Matchers::Contains("65280x65280") &&
                             Catch::Matchers::Contains("limit"));
  }
}

TEST_CASE("decode_jpeg_bgr: four-channel files are left to OpenCV, broken ones fail naming the file",
          "[data][jpeg_decode]") {
  cv::Mat four(24, 40, CV_8UC4);
  cv::randu(four, 0, 256);
  const Bytes cmyk = libjpeg_encode(four);
  CHECK_FALSE(decode_jpeg_bgr(cmyk, 1, "cmyk.jpg").has_value());
  const cv::Mat via_opencv = decode_image(cmyk, cv::IMREAD_COLOR, "cmyk.jpg");
  CHECK(via_opencv.type() == CV_8UC3);
  CHECK(cv::norm(via_opencv, cv::imdecode(cmyk, cv::IMREAD_COLOR), cv::NORM_INF) == 0);

  Bytes broken = encode(picture(cv::Size(64, 40)));
  for (size_t i = 0; i < broken.size(); ++i)
    if (broken[i] == 0xFF && broken[i + 1] == 0xC0) {  // the frame header: an impossible precision
      broken[i + 4] = 3;
      break;
    }
  try {
    decode_jpeg_bgr(broken, 1, "broken.jpg");
    FAIL("a broken frame header was decoded");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Matchers::StartsWith("broken.jpg: cannot decode image ("));
  }
  CHECK_THROWS_AS(decode_image(broken, cv::IMREAD_COLOR, "broken.jpg"), std::runtime_error);
  CHECK_THROWS_AS(decode_jpeg_bgr(encode(picture(cv::Size(8, 8))), 3, "photo.jpg"), std::invalid_argument);
}
