// The picture formats of `test` and `serve` (core/infer/image_format.h): names, extensions, content types, the
// encodings (decoded back by OpenCV's libpng, libjpeg and libwebp), and the pictures each cannot hold.
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
  const auto decoded = [](const std::string& bytes) {
    return cv::imdecode(std::vector<unsigned char>(bytes.begin(), bytes.end()), cv::IMREAD_UNCHANGED);
  };
  // WebP with alpha is lossless: the alpha and every colour that shows (alpha > 0) come back.
  const cv::Mat back = decoded(encode_image(rgba, ImageFormat::Webp));
  REQUIRE(back.type() == CV_8UC4);
  cv::Mat alpha, alpha_back;
  cv::extractChannel(rgba, alpha, 3);
  cv::extractChannel(back, alpha_back, 3);
  CHECK(cv::norm(alpha, alpha_back, cv::NORM_INF) == 0);
  CHECK(cv::norm(rgba, back, cv::NORM_INF, alpha > 0) == 0);
  // PNG is exact; JPEG at quality 90 is close on a smooth picture and smaller than at OpenCV's default 95.
  CHECK(cv::norm(decoded(encode_image(rgba, ImageFormat::Png)), rgba, cv::NORM_INF) == 0);
  cv::Mat smooth(64, 96, CV_8UC3);
  for (int y = 0; y < smooth.rows; ++y)
    for (int x = 0; x < smooth.cols; ++x) smooth.at<cv::Vec3b>(y, x) = cv::Vec3b(2 * x, 3 * y, 100);
  const std::string jpeg = encode_image(smooth, ImageFormat::Jpg);
  CHECK(jpeg.compare(0, 2, "\xff\xd8") == 0);
  CHECK(cv::norm(decoded(jpeg), smooth, cv::NORM_INF) <= 8);
  std::vector<unsigned char> at95;
  REQUIRE(cv::imencode(".jpg", smooth, at95));
  CHECK(jpeg.size() < at95.size());
  CHECK_THROWS_AS(encode_image(cv::Mat(4, 4, CV_32FC1), ImageFormat::Png), std::invalid_argument);
  CHECK_THROWS_AS(encode_image(cv::Mat(), ImageFormat::Jpg), std::invalid_argument);
  std::vector<unsigned char> bytes;

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
