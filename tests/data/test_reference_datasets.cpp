// The public sample sets in $PORTRAITSEG_REFERENCE/datasets: 12 VOC pairs with void pixels, 4 AISegment pairs.
#include <catch2/catch.hpp>

#include "tests/data/source_test_util.h"
#include "tests/test_support.h"

using namespace pseg;
using namespace pseg::test;

TEST_CASE("VOC person sample set: 12 pairs with ignore pixels") {
  const auto ref = reference_dir_or_skip();
  SourceConfig s;
  s.format = "voc";
  s.root = (ref / "datasets/VOCdevkit/person").string();
  const Dataset d = open_train_only(s);
  REQUIRE(d.train->size() == 12);
  CHECK(d.report.train.rejected.empty());
  const SourceReport& r = d.report.train.sources.at(0);
  CHECK(r.mean_foreground > 0.05);
  CHECK(r.mean_foreground < 0.95);
  CHECK(r.max_size.width <= 500);
  CHECK(r.min_size.width >= 100);
  size_t with_ignore = 0;
  for (size_t i = 0; i < d.train->size(); ++i) {
    const Sample smp = d.train->load(i);
    REQUIRE(smp.label.size() == smp.image.size());
    CHECK(cv::countNonZero(smp.label == kLabelPerson) > 0);
    cv::Mat other = (smp.label != kLabelBackground) & (smp.label != kLabelPerson) & (smp.label != kLabelIgnore);
    CHECK(cv::countNonZero(other) == 0);
    with_ignore += cv::countNonZero(smp.label == kLabelIgnore) > 0;
  }
  CHECK(with_ignore == 12);
}

TEST_CASE("AISegment sample set: 4 pairs from RGBA mattes") {
  const auto ref = reference_dir_or_skip();
  SourceConfig s;
  s.format = "aisegment";
  s.root = (ref / "datasets/ai_segment").string();
  s.soft = true;
  const Dataset d = open_train_only(s);
  REQUIRE(d.train->size() == 4);
  const SourceReport& r = d.report.train.sources.at(0);
  CHECK(r.min_size == cv::Size(600, 800));
  CHECK(r.max_size == cv::Size(600, 800));
  CHECK(r.mean_foreground > 0.05);
  CHECK(r.mean_foreground < 0.95);
  const Sample smp = d.train->load(0);
  REQUIRE(smp.soft.size() == smp.image.size());
  double lo, hi;
  cv::minMaxLoc(smp.soft, &lo, &hi);
  CHECK(lo == 0.0);
  CHECK(hi == 1.0);
  // The hard label is the soft target cut at 128/255.
  CHECK(cv::countNonZero((smp.soft >= 128.0 / 255.0 - 1e-6) != (smp.label == kLabelPerson)) == 0);
}
