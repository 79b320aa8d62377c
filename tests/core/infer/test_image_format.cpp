// The picture formats of `test` and `serve` (core/infer/image_format.h): names, extensions, content types, encode
// parameters, and the pictures each cannot hold, checked against OpenCV encoding them.
#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/infer/image_format.h"

using namespace pseg;

TEST_CASE("image formats: names, extensions and content types", "[core][image_format]") {
  CHECK(image_format_named("png") == ImageFormat::Png);
  CHECK(image_format_named("jpg") == ImageFormat::Jpg);
  CHECK(image_format_named("jpeg") == ImageFormat::Jpg);
  CHECK(image_format_named("webp") == ImageFormat::Webp);
  CHECK_FALSE(image_format_named("gif").has_value());
  CHECK_FALSE(image_format_named("PNG").has_value());
  CHECK(extension_of(ImageFormat::Png) == ".png");
  CHECK(extension_of(ImageFormat::Jpg) == ".jpg");
  CHECK(extension_of(ImageFormat::Webp) == ".webp");
  CHECK(content_type_of(ImageFormat::Png) == "image/png");
  CHECK(content_type_of(ImageFormat::Jpg) == "image/jpeg");
  CHECK(content_type_of(ImageFormat::Webp) == "image/webp");
}

TEST_CASE("image formats: the encodings, and what each cannot hold", "[core][image_format]") {
  cv::Mat rgba(40, 60, CV_8UC4);
  cv::randu(rgba, 0, 256);
  rgba.col(3).setTo(cv::Scalar(10, 20, 30, 255));
  std::vector<unsigned char> bytes;
  // WebP with alpha is lossless: the alpha and every colour that shows (alpha > 0) come back.
  REQUIRE(cv::imencode(".webp", rgba, bytes, encode_params(ImageFormat::Webp, 4)));
  const cv::Mat back = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
  REQUIRE(back.type() == CV_8UC4);
  cv::Mat alpha, alpha_back;
  cv::extractChannel(rgba, alpha, 3);
  cv::extractChannel(back, alpha_back, 3);
  CHECK(cv::norm(alpha, alpha_back, cv::NORM_INF) == 0);
  CHECK(cv::norm(rgba, back, cv::NORM_INF, alpha > 0) == 0);
  CHECK(encode_params(ImageFormat::Jpg, 3) == std::vector<int>{cv::IMWRITE_JPEG_QUALITY, 90});
  CHECK(encode_params(ImageFormat::Png, 4).empty());

  CHECK(format_that_holds(ImageFormat::Jpg, rgba) == ImageFormat::Png);
  CHECK(format_that_holds(ImageFormat::Jpg, cv::Mat(4, 4, CV_8UC3)) == ImageFormat::Jpg);
  CHECK(format_that_holds(ImageFormat::Webp, rgba) == ImageFormat::Webp);
  CHECK(format_that_holds(ImageFormat::Webp, cv::Mat(2, 16383, CV_8UC3)) == ImageFormat::Webp);
  CHECK(format_that_holds(ImageFormat::Webp, cv::Mat(2, 16384, CV_8UC3)) == ImageFormat::Png);
  CHECK(format_that_holds(ImageFormat::Webp, cv::Mat(16384, 2, CV_8UC3)) == ImageFormat::Png);
  // The limit is OpenCV's too: one pixel more and WebP refuses.
  CHECK(cv::imencode(".webp", cv::Mat(2, 16383, CV_8UC3, cv::Scalar(1, 2, 3)), bytes));
  bool refused = false;
  try {
    refused = !cv::imencode(".webp", cv::Mat(2, 16384, CV_8UC3, cv::Scalar(1, 2, 3)), bytes);
  } catch (const cv::Exception&) {
    refused = true;
  }
  CHECK(refused);
}
