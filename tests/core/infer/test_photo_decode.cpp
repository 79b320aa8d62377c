// Photos decoded for the net (core/infer/photo_decode.h) against OpenCV's own decoding of the same bytes: which
// JPEGs are reduced and by how much (hand-worked sizes), the pixels at each size, EXIF orientation, and the files
// that stay at full size.
#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/infer/photo_decode.h"
#include "tests/data/exif_test_util.h"
#include "tests/core/predictor_test_util.h"

using namespace pseg;

namespace {

ModelMeta meta_of(int width, int height, const std::string& resize) {
  ModelMeta m;
  m.width = width;
  m.height = height;
  m.resize = resize;
  return m;
}

std::vector<unsigned char> encoded(const std::string& ext, const cv::Mat& image) {
  std::vector<unsigned char> bytes;
  REQUIRE(cv::imencode(ext, image, bytes, {cv::IMWRITE_JPEG_QUALITY, 95}));
  return bytes;
}

bool same_pixels(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

}  // namespace

TEST_CASE("jpeg_reduction: the largest of 2, 4, 8 that divides both sides and still covers the net's input",
          "[core][photo_decode]") {
  const ModelMeta square = meta_of(224, 224, "pad_to_square"), stretch = meta_of(224, 224, "stretch");
  const auto area = ResizeInterpolation::Area, automatic = ResizeInterpolation::Auto;
  // pad_to_square: the long side counts. 1152/4 = 288 >= 224, 1152/8 = 144 < 224.
  CHECK(jpeg_reduction({1152, 896}, square, automatic) == 4);
  CHECK(jpeg_reduction({896, 1152}, square, automatic) == 4);
  CHECK(jpeg_reduction({448, 100}, square, area) == 2);
  CHECK(jpeg_reduction({446, 100}, square, area) == 1);  // 446/2 = 223 < 224
  CHECK(jpeg_reduction({1792, 1792}, square, area) == 8);
  CHECK(jpeg_reduction({4000, 3000}, square, area) == 8);  // 1/8 is libjpeg's smallest
  // Only reductions that divide both sides: 1001x777 stays whole, 1156x900 (4 x 289, 4 x 225) stops at 1/4.
  CHECK(jpeg_reduction({1001, 777}, square, area) == 1);
  CHECK(jpeg_reduction({1156, 900}, square, area) == 4);
  CHECK(jpeg_reduction({1800, 1798}, square, area) == 2);
  // stretch: both sides count. 1152x400: 400/2 = 200 < 224.
  CHECK(jpeg_reduction({1152, 400}, stretch, automatic) == 1);
  CHECK(jpeg_reduction({1152, 900}, stretch, automatic) == 4);
  CHECK(jpeg_reduction({1152, 896}, meta_of(256, 128, "stretch"), automatic) == 4);
  // Linear and cubic reproduce a pipeline that resizes the full image.
  CHECK(jpeg_reduction({1152, 896}, square, ResizeInterpolation::Linear) == 1);
  CHECK(jpeg_reduction({1152, 896}, square, ResizeInterpolation::Cubic) == 1);
}

TEST_CASE("decode_photo: a large JPEG reaches the net as libjpeg's reduced decoding, close to an area shrink",
          "[core][photo_decode]") {
  const cv::Mat image = test::test_image(896, 1152, 3);
  const std::vector<unsigned char> jpeg = encoded(".jpg", image);
  const ModelMeta meta = meta_of(224, 224, "pad_to_square");

  const DecodedPhoto photo = decode_photo(jpeg, "photo.jpg", meta, ResizeInterpolation::Auto);
  CHECK(photo.reduction == 4);
  CHECK(photo.size == cv::Size(1152, 896));
  CHECK(photo.full.empty());
  CHECK(same_pixels(photo.for_net, cv::imdecode(jpeg, cv::IMREAD_REDUCED_COLOR_4)));
  // The scaled inverse DCT averages like INTER_AREA does, to within a couple of grey levels on a smooth image.
  cv::Mat area;
  cv::resize(cv::imdecode(jpeg, cv::IMREAD_COLOR), area, photo.for_net.size(), 0, 0, cv::INTER_AREA);
  cv::Mat difference;
  cv::absdiff(photo.for_net, area, difference);
  CHECK(cv::mean(difference)[0] < 1.0);

  PhotoDecodeOptions keep;
  keep.keep_full = true;
  const DecodedPhoto both = decode_photo(jpeg, "photo.jpg", meta, ResizeInterpolation::Auto, keep);
  CHECK(same_pixels(both.for_net, photo.for_net));
  CHECK(same_pixels(both.full, cv::imdecode(jpeg, cv::IMREAD_COLOR)));
  CHECK(both.size == cv::Size(1152, 896));

  PhotoDecodeOptions full;
  full.reduce = false;
  const DecodedPhoto whole = decode_photo(jpeg, "photo.jpg", meta, ResizeInterpolation::Auto, full);
  CHECK(whole.reduction == 1);
  CHECK(same_pixels(whole.for_net, cv::imdecode(jpeg, cv::IMREAD_COLOR)));
  CHECK(whole.full.data == whole.for_net.data);
}

TEST_CASE("decode_photo: EXIF orientation turns the reduced image and the photo's size alike", "[core][photo_decode]") {
  const std::vector<unsigned char> jpeg = test::with_exif_orientation(encoded(".jpg", test::test_image(400, 1000, 1)), 6);
  REQUIRE(cv::imdecode(jpeg, cv::IMREAD_COLOR).size() == cv::Size(400, 1000));  // OpenCV reads the tag
  PhotoDecodeOptions keep;
  for (bool keep_full : {false, true}) {
    keep.keep_full = keep_full;
    const DecodedPhoto photo = decode_photo(jpeg, "turned.jpg", meta_of(224, 224, "pad_to_square"),
                                            ResizeInterpolation::Auto, keep);
    CHECK(photo.reduction == 4);  // 1000/4 = 250
    CHECK(photo.size == cv::Size(400, 1000));
    CHECK(same_pixels(photo.for_net, cv::imdecode(jpeg, cv::IMREAD_REDUCED_COLOR_4)));
    CHECK(photo.for_net.size() == cv::Size(100, 250));
  }
}

TEST_CASE("decode_photo: a turned photo is reduced as far as its shown size allows for a non-square input",
          "[core][photo_decode]") {
  // Stored 1200 x 600, shown 600 x 1200. For a 256 x 128 input the stored size would allow 1/4 (300 x 150), but
  // shown, 1/4 gives 150 x 300, narrower than 256: 1/2 (300 x 600) is the most.
  const std::vector<unsigned char> jpeg = test::with_exif_orientation(encoded(".jpg", test::test_image(600, 1200, 5)), 6);
  const ModelMeta wide = meta_of(256, 128, "stretch");
  REQUIRE(jpeg_reduction({1200, 600}, wide, ResizeInterpolation::Auto) == 4);
  const DecodedPhoto photo = decode_photo(jpeg, "turned.jpg", wide, ResizeInterpolation::Auto);
  CHECK(photo.reduction == 2);
  CHECK(photo.size == cv::Size(600, 1200));
  CHECK(same_pixels(photo.for_net, cv::imdecode(jpeg, cv::IMREAD_REDUCED_COLOR_2)));
}

TEST_CASE("decode_photo: other formats, small JPEGs, odd sizes and broken files", "[core][photo_decode]") {
  const cv::Mat image = test::test_image(896, 1152, 2);
  const ModelMeta meta = meta_of(224, 224, "pad_to_square");
  for (const std::string ext : {".png", ".bmp", ".webp"}) {
    INFO(ext);
    const std::vector<unsigned char> bytes = encoded(ext, image);
    const DecodedPhoto photo = decode_photo(bytes, "photo" + ext, meta, ResizeInterpolation::Auto);
    CHECK(photo.reduction == 1);
    CHECK(photo.size == cv::Size(1152, 896));
    CHECK(same_pixels(photo.for_net, cv::imdecode(bytes, cv::IMREAD_COLOR)));
  }
  const std::vector<unsigned char> small = encoded(".jpg", test::test_image(300, 440, 2));
  const DecodedPhoto photo = decode_photo(small, "small.jpg", meta, ResizeInterpolation::Auto);
  CHECK(photo.reduction == 1);  // 440/2 = 220 < 224
  CHECK(same_pixels(photo.for_net, cv::imdecode(small, cv::IMREAD_COLOR)));

  const std::vector<unsigned char> odd = encoded(".jpg", test::test_image(777, 1001, 2));
  const DecodedPhoto whole = decode_photo(odd, "odd.jpg", meta, ResizeInterpolation::Auto);
  CHECK(whole.reduction == 1);  // 1001 is odd: no reduced pixel may stand for part of one
  CHECK(whole.size == cv::Size(1001, 777));

  std::vector<unsigned char> truncated = encoded(".jpg", image);
  truncated.resize(truncated.size() / 2);
  CHECK_THROWS_WITH(decode_photo(truncated, "half.jpg", meta, ResizeInterpolation::Auto),
                    Catch::Contains("half.jpg") && Catch::Contains("truncated"));
}
