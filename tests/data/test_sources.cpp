// Every dataset format read from a tiny fixture written by the test.
#include <catch2/catch.hpp>

#include "tests/data/fixtures.h"
#include "data/image_io.h"
#include "tests/data/source_test_util.h"
#include "tests/test_support.h"

using namespace pseg;
using namespace pseg::test;

namespace {

void check_sample_basics(const Sample& s) {
  CHECK(s.image.type() == CV_8UC3);
  CHECK(s.label.type() == CV_8UC1);
  CHECK(s.image.size() == cv::Size(kFixtureWidth, kFixtureHeight));
  CHECK(s.label.size() == s.image.size());
}

}  // namespace

TEST_CASE("folders pairs images and masks by stem across extensions") {
  ScratchDir dir("folders");
  write_folders(dir.path(), 8);
  SourceConfig s;
  s.format = "folders";
  s.images = (dir / "images").string();
  s.masks = (dir / "masks").string();
  const Dataset d = open_train_only(s);
  REQUIRE(d.train->size() == 8);
  REQUIRE(d.report.train.pairs == 8);
  for (size_t i = 0; i < 8; ++i) {
    const Sample smp = d.train->load(i);
    check_sample_basics(smp);
    CHECK(count_different(smp.label, fixture_mask(static_cast<int>(i), 1)) == 0);
  }
  CHECK(d.train->id(1).find("00002.jpg") != std::string::npos);
  const SourceReport& r = d.report.train.sources.at(0);
  CHECK(r.min_size == cv::Size(64, 48));
  CHECK(r.max_size == cv::Size(64, 48));
  double fg = 0;
  for (int i = 0; i < 8; ++i) fg += fixture_foreground(i);
  CHECK(r.mean_foreground == Approx(fg / 8).epsilon(1e-9));

  SECTION("a >=128 rule on 0/1 masks finds no person") {
    ScratchDir ones("folders01");
    write_folders(ones.path(), 2, 1);
    s.images = (ones / "images").string();
    s.masks = (ones / "masks").string();
    s.mask_rule = ">=128";
    CHECK(open_train_only(s).report.train.sources.at(0).mean_foreground == 0.0);
    s.mask_rule = "==1";
    CHECK(open_train_only(s).report.train.sources.at(0).mean_foreground > 0.1);
  }
}

TEST_CASE("list reads PaddleSeg image/label lines with class 1 and ignore 255") {
  ScratchDir dir("list");
  write_list(dir.path(), 8);
  SourceConfig s;
  s.format = "list";
  s.root = dir.path().string();
  s.list = "train.txt";
  const Dataset d = open_train_only(s);
  REQUIRE(d.train->size() == 8);
  const Sample smp = d.train->load(3);
  check_sample_basics(smp);
  cv::Mat expected = fixture_mask(3, 1);
  cv::rectangle(expected, cv::Rect(0, 0, kFixtureWidth, kFixtureHeight), cv::Scalar(255), 1);
  CHECK(count_different(smp.label, expected) == 0);
}

TEST_CASE("list maps palette-coloured class masks back to indices") {
  ScratchDir dir("list_palette");
  cv::Mat m(kFixtureHeight, kFixtureWidth, CV_8UC3, cv::Scalar(0, 0, 0));
  m.setTo(cv::Scalar(voc_palette_bgr(1)), fixture_mask(0));
  write_image(dir / "images/a.jpg", fixture_image(0));
  write_image(dir / "labels/a.png", m);
  write_text(dir / "val.txt", "images/a.jpg labels/a.png\n");
  SourceConfig s;
  s.format = "list";
  s.root = dir.path().string();
  s.list = "val.txt";
  const Sample smp = open_train_only(s).train->load(0);
  CHECK(count_different(smp.label, fixture_mask(0, 1)) == 0);
}

TEST_CASE("eg1800 reads the PortraitNet layout (person == 1, values > 1 background)") {
  ScratchDir dir("eg1800pn");
  write_eg1800_portraitnet(dir.path(), 8);
  SourceConfig s;
  s.format = "eg1800";
  s.root = dir.path().string();
  s.layout = "portraitnet";
  SECTION("with a name list") { s.list = "eg1800_train.txt"; }
  SECTION("without a list") {}
  const Dataset d = open_train_only(s);
  REQUIRE(d.train->size() == 8);
  const Sample smp = d.train->load(5);
  check_sample_basics(smp);
  CHECK(count_different(smp.label, fixture_mask(5, 1)) == 0);
}

TEST_CASE("eg1800 reads the SINet layout (integer ids, _mask.png, person = 255)") {
  ScratchDir dir("eg1800sinet");
  write_eg1800_sinet(dir.path(), 8);
  SourceConfig s;
  s.format = "eg1800";
  s.root = dir.path().string();
  s.layout = "sinet";
  SECTION("with an id list") { s.list = "train.txt"; }
  SECTION("without a list") {}
  const Dataset d = open_train_only(s);
  REQUIRE(d.train->size() == 8);
  const Sample smp = d.train->load(2);
  check_sample_basics(smp);
  CHECK(count_different(smp.label, fixture_mask(2, 1)) == 0);
  CHECK(d.train->id(2).find("images_data_crop") != std::string::npos);
}

TEST_CASE("aisegment thresholds the RGBA matte and fills the soft target") {
  ScratchDir dir("aiseg");
  write_aisegment(dir.path(), 8);
  SourceConfig s;
  s.format = "aisegment";
  s.root = dir.path().string();
  const Dataset hard = open_train_only(s);
  REQUIRE(hard.train->size() == 8);
  const Sample h = hard.train->load(4);
  check_sample_basics(h);
  CHECK(h.soft.empty());
  // Default threshold 128: the soft band (alpha 100) is background.
  CHECK(count_different(h.label, fixture_mask(4, 1)) == 0);

  s.soft = true;
  s.alpha_threshold = 100;
  const Sample soft = open_train_only(s).train->load(4);
  REQUIRE(soft.soft.type() == CV_32FC1);
  cv::Mat expected_soft;
  fixture_alpha(4).convertTo(expected_soft, CV_32F, 1.0 / 255.0);
  CHECK(cv::norm(soft.soft, expected_soft, cv::NORM_INF) < 1e-6);
  cv::Mat expected_label = (fixture_alpha(4) >= 100) / 255;
  CHECK(count_different(soft.label, expected_label) == 0);
  CHECK(cv::countNonZero(soft.label) > cv::countNonZero(h.label));
}

TEST_CASE("voc matches palette colours: class 15 person, void ignore, other classes background") {
  ScratchDir dir("voc");
  write_voc(dir.path(), 8);
  SourceConfig s;
  s.format = "voc";
  s.root = dir.path().string();
  SECTION("walking SegmentationClass") {}
  SECTION("with an id list") {
    write_text(dir / "ImageSets/Segmentation/train.txt", "00001\n00002\n00003\n00004\n00005\n00006\n00007\n00008\n");
    s.list = "ImageSets/Segmentation/train.txt";
  }
  const Dataset d = open_train_only(s);
  REQUIRE(d.train->size() == 8);
  const Sample smp = d.train->load(6);
  check_sample_basics(smp);
  cv::Mat expected = fixture_mask(6, 1);
  cv::ellipse(expected, fixture_ellipse(6), cv::Scalar(255), 1);
  CHECK(count_different(smp.label, expected) == 0);
  CHECK(cv::countNonZero(smp.label == kLabelIgnore) > 0);
  CHECK(smp.label.at<uint8_t>(35, 55) == kLabelBackground);  // the chair

  SECTION("another class can be chosen") {
    s.class_id = 9;  // chair
    const Sample chair = open_train_only(s).train->load(0);
    CHECK(chair.label.at<uint8_t>(35, 55) == kLabelPerson);
    CHECK(chair.label.at<uint8_t>(26, 24) == kLabelBackground);
  }
}

TEST_CASE("supervisely rasterises polygons with holes and zlib bitmaps, both annotation namings") {
  ScratchDir dir("supervisely");
  write_supervisely(dir.path(), 8);
  SourceConfig s;
  s.format = "supervisely";
  s.root = dir.path().string();
  const Dataset d = open_train_only(s);
  REQUIRE(d.train->size() == 8);
  for (size_t i : {size_t(0), size_t(7)}) {
    const Sample smp = d.train->load(i);
    check_sample_basics(smp);
    CHECK(count_different(smp.label, supervisely_expected_label()) == 0);
  }
  CHECK(d.train->load(0).label.at<uint8_t>(20, 17) == kLabelBackground);  // inside the hole
  CHECK(d.train->load(0).label.at<uint8_t>(2, 2) == kLabelBackground);    // the "car" object is not a person
}
