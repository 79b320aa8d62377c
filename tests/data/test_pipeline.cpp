// ExamplePipeline (train recipes, eval resize) and collate.
#include <opencv2/imgproc.hpp>

#include <torch/torch.h>

#include "data/pipeline.h"
#include "tests/test_support.h"

using namespace pseg;

namespace {

Sample sample_with_block(cv::Size size) {
  Sample s;
  s.image = cv::Mat(size, CV_8UC3, cv::Scalar(30, 60, 90));
  cv::randu(s.image, 0, 60);
  s.label = cv::Mat::zeros(size, CV_8UC1);
  const cv::Rect r(size.width / 3, size.height / 3, size.width / 3, size.height / 3);
  s.image(r).setTo(cv::Scalar::all(230));
  s.label(r).setTo(1);
  s.id = "block.png";
  return s;
}

InputFormat format(int channels) {
  InputFormat f;
  f.channels = channels;
  f.height = f.width = 48;
  return f;
}

AugmentConfig portraitnet() {
  AugmentConfig a;
  a.recipe = AugmentRecipe::PortraitNet;
  a.texture_view = a.boundary = a.majority_filter = true;
  return a;
}

bool same(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && (a.empty() || cv::norm(a, b, cv::NORM_INF) == 0);
}

}  // namespace

TEST_CASE("PortraitNet train example: sizes, targets, views, same seed reproduces") {
  const ExamplePipeline p(portraitnet(), format(4), PipelineMode::Train);
  const Sample s = sample_with_block({90, 120});
  Rng a = sample_rng(1, 2, 3), b = sample_rng(1, 2, 3), c = sample_rng(1, 2, 4);
  const Example x = p.make(s, a), y = p.make(s, b), z = p.make(s, c);
  REQUIRE(x.image.size() == cv::Size(48, 48));
  REQUIRE(x.texture_image.size() == cv::Size(48, 48));
  REQUIRE(x.boundary.size() == cv::Size(48, 48));
  REQUIRE(x.prior.type() == CV_32FC1);
  double hi;
  cv::minMaxLoc(x.label, nullptr, &hi);
  CHECK(hi <= 1);
  CHECK(same(x.image, y.image));
  CHECK(same(x.label, y.label));
  CHECK(same(x.texture_image, y.texture_image));
  CHECK(same(x.prior, y.prior));
  CHECK_FALSE(same(x.image, z.image));
}

TEST_CASE("PortraitNet train example keeps image, label and prior aligned") {
  AugmentConfig a = portraitnet();
  a.majority_filter = false;
  a.prior.prior_prob = 1;
  a.prior.image_branch_prob = 0;
  a.prior.motion_blur_prob = a.prior.affine_prob = a.prior.perspective_prob = a.prior.tps_prob = 0;
  const ExamplePipeline p(a, format(4), PipelineMode::Train);
  const Sample s = sample_with_block({60, 60});
  for (uint64_t i = 0; i < 8; ++i) {
    Rng rng = sample_rng(0, 0, i);
    const Example e = p.make(s, rng);
    cv::Mat person = e.label == 1, prior_mask = e.prior > 0.5f, grey;
    CHECK(cv::countNonZero(person != prior_mask) == 0);  // the unperturbed prior is the mask
    cv::cvtColor(e.image, grey, cv::COLOR_BGR2GRAY);
    // Interior of the label is bright in the image.
    cv::Mat inner;
    cv::erode(person, inner, cv::Mat::ones(3, 3, CV_8U));
    if (cv::countNonZero(inner) > 0) CHECK(cv::mean(grey, inner)[0] > 200);
  }
}

TEST_CASE("Keras and Slim recipes produce input-size examples") {
  for (const AugmentRecipe r : {AugmentRecipe::Keras, AugmentRecipe::Slim}) {
    AugmentConfig a;
    a.recipe = r;
    a.keras.soft_mask = true;
    const ExamplePipeline p(a, format(3), PipelineMode::Train);
    Rng rng(5);
    const Example e = p.make(sample_with_block({70, 50}), rng);
    CHECK(e.image.size() == cv::Size(48, 48));
    CHECK(e.label.size() == cv::Size(48, 48));
    CHECK(e.texture_image.empty());
    CHECK(e.boundary.empty());
    CHECK(e.soft.empty() == (r != AugmentRecipe::Keras));
  }
}

TEST_CASE("eval pads to square with 128 and ignores the recipe") {
  InputFormat f = format(3);
  f.resize = InputResize::PadSquare;
  const ExamplePipeline p(portraitnet(), f, PipelineMode::Eval);
  Sample s = sample_with_block({40, 80});  // 40 wide, 80 high: 20 px bands left and right
  Rng a(1), b(2);
  const Example x = p.make(s, a), y = p.make(s, b);
  CHECK(same(x.image, y.image));
  CHECK(x.image.at<cv::Vec3b>(24, 2) == cv::Vec3b(128, 128, 128));
  CHECK(x.label.at<uint8_t>(24, 2) == 0);
  CHECK(x.label.at<uint8_t>(24, 24) == 1);
  CHECK(x.texture_image.empty());
  CHECK_FALSE(x.boundary.empty());
}

TEST_CASE("collate normalises per format, appends the prior and keeps ignore labels") {
  InputFormat f = format(4);
  f.height = 2;
  f.width = 3;
  f.rgb = true;
  f.mean = {1.f, 2.f, 3.f};
  f.scale = {0.5f, 0.25f, 2.f};
  Example e;
  e.image = cv::Mat(2, 3, CV_8UC3, cv::Scalar(10, 20, 30));  // B G R
  e.label = cv::Mat::zeros(2, 3, CV_8UC1);
  e.label.at<uint8_t>(1, 2) = 255;
  e.label.at<uint8_t>(0, 1) = 1;
  e.prior = cv::Mat(2, 3, CV_32FC1, cv::Scalar(0.25f));
  e.soft = cv::Mat(2, 3, CV_32FC1, cv::Scalar(0.75f));
  e.id = "a";
  Example g = e;
  g.prior = cv::Mat();
  g.id = "b";
  const Batch b = collate({e, g}, f);
  REQUIRE(b.input.sizes() == torch::IntArrayRef({2, 4, 2, 3}));
  CHECK(b.input[0][0][0][0].item<float>() == Approx((30 - 1) * 0.5));   // R first
  CHECK(b.input[0][1][1][1].item<float>() == Approx((20 - 2) * 0.25));
  CHECK(b.input[0][2][0][2].item<float>() == Approx((10 - 3) * 2.0));
  CHECK(b.input[0][3][1][0].item<float>() == Approx(0.25));
  CHECK(b.input[1][3][1][0].item<float>() == Approx(0.0));  // missing prior -> zeros
  CHECK(b.label.scalar_type() == torch::kInt64);
  CHECK(b.label[0][1][2].item<int64_t>() == 255);
  CHECK(b.label[0][0][1].item<int64_t>() == 1);
  REQUIRE(b.soft.defined());
  CHECK(b.soft.sizes() == torch::IntArrayRef({2, 1, 2, 3}));
  CHECK_FALSE(b.boundary.defined());
  CHECK_FALSE(b.input_texture.defined());
  CHECK(b.ids == std::vector<std::string>{"a", "b"});
}

TEST_CASE("pipeline rejects bad formats and samples") {
  InputFormat f = format(5);
  CHECK_THROWS_AS(ExamplePipeline(AugmentConfig{}, f, PipelineMode::Train), std::invalid_argument);
  const ExamplePipeline p(AugmentConfig{}, format(3), PipelineMode::Train);
  Sample s = sample_with_block({20, 20});
  s.label = cv::Mat::zeros(10, 10, CV_8UC1);
  Rng rng(0);
  CHECK_THROWS_WITH(p.make(s, rng), Catch::Contains("block.png"));
}
