// Synthetic portraits: masks equal the drawn figure exactly, samples vary, the dataset layout is valid.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>
#include <set>

#include "data/synth.h"
#include "tests/test_support.h"

using namespace pseg;

TEST_CASE("the mask is exactly where the figure was drawn") {
  for (uint64_t i = 0; i < 12; ++i) {
    Rng rng = sample_rng(3, 0, i);
    const Portrait p = render_portrait({96, 128}, {}, rng);
    REQUIRE(p.mask.type() == CV_8UC1);
    // Redraw the figure on black and on white: figure pixels agree, every other pixel differs.
    cv::Mat black(p.image.size(), CV_8UC3, cv::Scalar::all(0)), white(p.image.size(), CV_8UC3, cv::Scalar::all(255));
    const cv::Mat m1 = draw_figure(p.pose, p.texture_seed, black);
    const cv::Mat m2 = draw_figure(p.pose, p.texture_seed, white);
    CHECK(cv::countNonZero(m1 != p.mask) == 0);
    CHECK(cv::countNonZero(m2 != p.mask) == 0);
    cv::Mat equal_px;
    cv::Mat diff;
    cv::absdiff(black, white, diff);
    cv::cvtColor(diff, diff, cv::COLOR_BGR2GRAY);
    equal_px = diff == 0;
    CHECK(cv::countNonZero(equal_px != (p.mask * 255)) == 0);
    // The rendered image shows the same figure pixels.
    cv::Mat fig_diff;
    cv::absdiff(black, p.image, fig_diff);
    cv::cvtColor(fig_diff, fig_diff, cv::COLOR_BGR2GRAY);
    CHECK(cv::countNonZero(fig_diff & (p.mask * 255)) == 0);
    const double share = cv::countNonZero(p.mask) / static_cast<double>(p.mask.total());
    CHECK(share > 0.03);
    CHECK(share < 0.97);
  }
}

TEST_CASE("portraits vary in pose, scale and colour") {
  std::set<int> xs, radii, skins, clothes, patterns;
  for (uint64_t i = 0; i < 20; ++i) {
    Rng rng = sample_rng(0, 0, i);
    const FigurePose pose = draw_pose({200, 200}, rng);
    xs.insert(static_cast<int>(pose.head_centre.x / 10));
    radii.insert(static_cast<int>(pose.head_radius / 4));
    skins.insert(pose.skin[0] / 8);
    clothes.insert(pose.clothing[1] / 16);
    patterns.insert(pose.clothing_pattern);
    CHECK(std::abs(pose.head_tilt) <= 25);
  }
  CHECK(xs.size() >= 6);
  CHECK(radii.size() >= 5);
  CHECK(skins.size() >= 4);
  CHECK(clothes.size() >= 6);
  CHECK(patterns.size() >= 3);
}

TEST_CASE("backgrounds use photos when given") {
  cv::Mat photo(50, 80, CV_8UC3, cv::Scalar(1, 2, 3));
  Rng rng(4);
  int photo_backgrounds = 0;
  for (int i = 0; i < 20; ++i) {
    const cv::Mat bg = draw_background({40, 40}, {photo}, rng);
    REQUIRE(bg.size() == cv::Size(40, 40));
    if (cv::norm(bg, cv::Mat(40, 40, CV_8UC3, cv::Scalar(1, 2, 3)), cv::NORM_INF) == 0) ++photo_backgrounds;
  }
  CHECK(photo_backgrounds > 0);
  CHECK(photo_backgrounds < 20);
}

TEST_CASE("write_synth_dataset writes images, 0/1 masks and list files") {
  test::ScratchDir dir("synth");
  SynthOptions o;
  o.out = dir.path();
  o.count = 6;
  o.width = 64;
  o.height = 48;
  o.seed = 5;
  o.image_ext = ".png";
  const SynthSummary s = write_synth_dataset(o);
  CHECK(s.train == 5);
  CHECK(s.test == 1);
  size_t lines = 0;
  for (const char* list : {"train.txt", "test.txt"}) {
    std::ifstream in(dir / list);
    std::string img, mask;
    while (in >> img >> mask) {
      ++lines;
      const cv::Mat image = cv::imread((dir / img).string(), cv::IMREAD_COLOR);
      const cv::Mat m = cv::imread((dir / mask).string(), cv::IMREAD_UNCHANGED);
      REQUIRE(image.size() == cv::Size(64, 48));
      REQUIRE(m.type() == CV_8UC1);
      double hi;
      cv::minMaxLoc(m, nullptr, &hi);
      CHECK(hi == 1);
      // Same content as rendering the sample directly.
      const int index = std::stoi(img.substr(img.find('_') + 1));
      Rng rng = sample_rng(5, 0, static_cast<uint64_t>(index));
      const Portrait p = render_portrait({64, 48}, {}, rng);
      CHECK(cv::countNonZero(p.mask != m) == 0);
      CHECK(cv::norm(p.image, image, cv::NORM_INF) == 0);
    }
  }
  CHECK(lines == 6);
  o.count = 0;
  CHECK_THROWS_AS(write_synth_dataset(o), std::invalid_argument);
}

TEST_CASE("composite mode pastes real foregrounds onto backgrounds") {
  test::ScratchDir fg("synth_fg"), out("synth_comp");
  std::filesystem::create_directories(fg / "images");
  std::filesystem::create_directories(fg / "masks");
  cv::Mat img(40, 30, CV_8UC3, cv::Scalar(0, 255, 0)), mask = cv::Mat::zeros(40, 30, CV_8UC1);
  mask(cv::Rect(5, 5, 10, 20)).setTo(255);
  cv::imwrite((fg / "images/a.png").string(), img);
  cv::imwrite((fg / "masks/a.png").string(), mask);
  SynthOptions o;
  o.out = out.path();
  o.count = 3;
  o.composite_fg = fg.path();
  o.image_ext = ".png";
  const SynthSummary s = write_synth_dataset(o);
  CHECK(s.train + s.test == 3);
  const cv::Mat c = cv::imread((out / "images/comp_00001.png").string());
  const cv::Mat m = cv::imread((out / "masks/comp_00001.png").string(), cv::IMREAD_UNCHANGED);
  REQUIRE(c.size() == cv::Size(30, 40));
  CHECK(cv::countNonZero(m) == 200);
  CHECK(c.at<cv::Vec3b>(10, 10) == cv::Vec3b(0, 255, 0));
}
