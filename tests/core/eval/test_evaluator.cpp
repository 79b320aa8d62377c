// The evaluator on a predictor with a known answer: metrics at the original size, ignore pixels, thresholds,
// saved masks, the worst-image contact sheet; the --data spec parser; the boundary F-score.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>

#include "core/eval/boundary_score.h"
#include "core/eval/contact_sheet.h"
#include "core/config/data_spec.h"
#include "core/common/errors.h"
#include "core/eval/evaluator.h"
#include "tests/test_support.h"

using namespace pseg;
using namespace pseg::test;
namespace fs = std::filesystem;

namespace {

// Answers "person" with probability 0.9 on the left half of the net input and 0.2 on the right half.
class LeftHalfPredictor : public Predictor {
 public:
  explicit LeftHalfPredictor(int64_t channels = 3) : Predictor(meta(channels), "libtorch", "left-half", {}) {}
  static ModelMeta meta(int64_t channels) {
    ModelMeta m;
    m.net = "left_half";
    m.channels = channels;
    m.height = m.width = 8;
    m.mean = {0, 0, 0};
    m.scale = {1, 1, 1};
    return m;
  }
  cv::Mat infer(const cv::Mat& blob) override {
    const int dims[4] = {1, 1, 8, 8};
    cv::Mat out(4, dims, CV_32F);
    for (int i = 0; i < 64; ++i) out.ptr<float>()[i] = (i % 8) < 4 ? 0.9f : 0.2f;
    seen_channels = blob.size[1];
    return out;
  }
  int seen_channels = 0;
};

// Images of given sizes with labels painted by a function of (x, y, width).
class MemorySource : public SampleSource {
 public:
  void add(std::string id, cv::Mat label) { items_.push_back({std::move(id), std::move(label)}); }
  size_t size() const override { return items_.size(); }
  std::string id(size_t i) const override { return items_[i].first; }
  Sample load(size_t i) const override {
    Sample s;
    s.id = items_[i].first;
    s.label = items_[i].second;
    s.image = cv::Mat(s.label.size(), CV_8UC3, cv::Scalar(90, 120, 150));
    return s;
  }

 private:
  std::vector<std::pair<std::string, cv::Mat>> items_;
};

cv::Mat left_label(int rows, int cols, int person_cols) {
  cv::Mat l = cv::Mat::zeros(rows, cols, CV_8UC1);
  l(cv::Rect(0, 0, person_cols, rows)).setTo(1);
  return l;
}

}  // namespace

TEST_CASE("evaluation scores at the original size with both mIOU definitions", "[core][evaluator]") {
  LeftHalfPredictor p;
  MemorySource src;
  src.add("a/exact.png", left_label(30, 40, 20));   // prediction = left 20 columns: IoU 1
  src.add("b/wide.png", left_label(30, 40, 40));    // all person: IoU 0.5
  src.add("c/none.png", cv::Mat::zeros(30, 40, CV_8UC1));  // no person: IoU 0
  cv::Mat ignored = left_label(30, 40, 10);
  ignored(cv::Rect(10, 0, 10, 30)).setTo(255);  // the predicted-but-unlabelled columns are ignore
  src.add("d/ignore.png", ignored);                 // IoU 1 once ignore pixels drop out

  const EvalResult r = evaluate(p, src, EvalOptions{});
  REQUIRE(r.images.size() == 4);
  CHECK(r.images[0].size == cv::Size(40, 30));
  CHECK(r.images[0].iou == Approx(1.0));
  CHECK(r.images[1].iou == Approx(0.5));
  CHECK(r.images[2].iou == Approx(0.0));
  CHECK(r.images[3].iou == Approx(1.0));
  CHECK(r.images[3].counts.ignored == 300);
  CHECK(r.metrics.images == 4);
  CHECK(r.metrics.ignored_pixels == 300);
  CHECK(r.metrics.miou_per_image == Approx(2.5 / 4));
  // Confusion over all images: tp 600+600+0+300, fp 0+0+600+0, fn 0+600+0+0, tn 600+0+600+600.
  CHECK(r.metrics.iou_person == Approx(1500.0 / 2700.0));
  CHECK(r.metrics.iou_background == Approx(1800.0 / 3000.0));
  CHECK(r.metrics.pixel_accuracy == Approx(3300.0 / 4500.0));
  CHECK(r.images[0].boundary_f == Approx(1.0));
  CHECK(r.mean_inference_ms >= 0);
  CHECK_FALSE(r.empty_prior);

  // Above the model's 0.9 nothing is person: only the image without person scores.
  EvalOptions high;
  high.threshold = 0.95f;
  CHECK(evaluate(p, src, high).metrics.miou_per_image == Approx(1.0 / 4));
}

TEST_CASE("evaluation saves masks and keeps the worst images", "[core][evaluator]") {
  ScratchDir dir("evaluator_outputs");
  LeftHalfPredictor p;
  MemorySource src;
  src.add("x/img.jpg", left_label(30, 40, 20));
  src.add("y/img.jpg", left_label(20, 20, 20));  // same stem: saved under another name
  src.add("z/other.jpg", cv::Mat::zeros(24, 16, CV_8UC1));
  EvalOptions o;
  o.save_masks = (dir / "masks").string();
  o.worst = 2;
  const EvalResult r = evaluate(p, src, o);
  CHECK(fs::path(r.images[0].mask_path).filename() == "img.png");
  CHECK(fs::path(r.images[1].mask_path).filename() == "img_1.png");
  const cv::Mat saved = cv::imread(r.images[0].mask_path, cv::IMREAD_UNCHANGED);
  REQUIRE(saved.size() == cv::Size(40, 30));
  CHECK(saved.at<uint8_t>(5, 5) == 255);
  CHECK(saved.at<uint8_t>(5, 35) == 0);
  // Worst first: other.jpg (0), then img.jpg of y (0.5).
  REQUIRE(r.worst.size() == 2);
  CHECK(r.worst[0].caption.find("other.jpg") != std::string::npos);
  CHECK(r.worst[1].caption.find("IoU 0.500") != std::string::npos);
  CHECK(r.worst[0].image.rows == kSheetRowHeight);
  const cv::Mat sheet = render_contact_sheet(r.worst);
  CHECK(sheet.type() == CV_8UC3);
  CHECK(sheet.rows > 2 * kSheetRowHeight);
  CHECK(sheet.cols >= 3 * r.worst[1].image.cols);
}

TEST_CASE("a prior-channel model is evaluated with an empty prior", "[core][evaluator]") {
  LeftHalfPredictor p(4);
  MemorySource src;
  src.add("a.png", left_label(8, 8, 4));
  const EvalResult r = evaluate(p, src, EvalOptions{});
  CHECK(r.empty_prior);
  CHECK(p.seen_channels == 4);
  CHECK(r.metrics.miou_per_image == Approx(1.0));
}

TEST_CASE("evaluation refuses an empty split and a bad threshold", "[core][evaluator]") {
  LeftHalfPredictor p;
  MemorySource empty;
  CHECK_THROWS_AS(evaluate(p, empty, EvalOptions{}), std::invalid_argument);
  MemorySource one;
  one.add("a.png", left_label(8, 8, 4));
  EvalOptions o;
  o.threshold = 1.0f;
  CHECK_THROWS_AS(evaluate(p, one, o), std::invalid_argument);
}

TEST_CASE("eval --data specs become test sources", "[core][evaluator]") {
  const DataConfig d = parse_data_specs({"voc:data/voc", "folders:imgs,masks,mask_rule=>=128",
                                         "aisegment:data/ais,soft=true,alpha_threshold=100", "list:root,list=test.txt"});
  REQUIRE(d.test.size() == 4);
  CHECK(d.train.empty());
  CHECK(d.test[0].format == "voc");
  CHECK(d.test[0].root == "data/voc");
  CHECK(d.test[1].images == "imgs");
  CHECK(d.test[1].masks == "masks");
  CHECK(d.test[1].mask_rule == ">=128");
  CHECK(d.test[2].soft);
  CHECK(d.test[2].alpha_threshold == 100);
  CHECK(d.test[3].list == "test.txt");
  CHECK(d.on_error == OnError::Strict);

  CHECK_THROWS_WITH(parse_data_specs({"voc"}), Catch::Contains("expected FORMAT:PATH"));
  CHECK_THROWS_WITH(parse_data_specs({"folders:imgs"}), Catch::Contains("folders:IMAGES_DIR,MASKS_DIR"));
  CHECK_THROWS_WITH(parse_data_specs({"nosuch:x"}), Catch::Contains("unknown format"));
  CHECK_THROWS_WITH(parse_data_specs({"voc:x,class=999"}), Catch::Contains("--data voc:x,class=999: class:"));
  CHECK_THROWS_WITH(parse_data_specs({"list:x"}), Catch::Contains("list"));
  CHECK_THROWS_AS(parse_data_specs({"voc:x,colour=red"}), ConfigError);
  CHECK_THROWS_AS(parse_data_specs({}), ConfigError);
}

TEST_CASE("boundary F-score of contours within a tolerance band", "[core][evaluator]") {
  cv::Mat truth = cv::Mat::zeros(40, 40, CV_8UC1);
  cv::rectangle(truth, cv::Rect(10, 10, 20, 20), 1, cv::FILLED);
  CHECK(boundary_f_score(truth, truth, 1) == Approx(1.0));
  cv::Mat shifted = cv::Mat::zeros(40, 40, CV_8UC1);
  cv::rectangle(shifted, cv::Rect(12, 10, 20, 20), 1, cv::FILLED);  // 2 px to the right
  CHECK(boundary_f_score(shifted, truth, 2) == Approx(1.0));
  const double tight = boundary_f_score(shifted, truth, 1);
  CHECK(tight < 0.8);
  CHECK(tight > 0.3);
  const cv::Mat none = cv::Mat::zeros(40, 40, CV_8UC1);
  CHECK(boundary_f_score(none, none, 1) == 1.0);
  CHECK(boundary_f_score(none, truth, 1) == 0.0);
  CHECK(boundary_f_score(truth, none, 1) == 0.0);
  // Predicted contour on ignore pixels does not count against precision.
  cv::Mat extra = truth.clone();
  cv::rectangle(extra, cv::Rect(0, 0, 5, 5), 1, cv::FILLED);
  cv::Mat label = truth.clone();
  label(cv::Rect(0, 0, 7, 7)).setTo(255);
  CHECK(boundary_f_score(extra, label, 1) == Approx(1.0));
  CHECK(boundary_f_score(extra, truth, 1) < 1.0);
  // A mask filling the frame has no contour at the frame.
  CHECK(boundary_f_score(cv::Mat::ones(10, 10, CV_8UC1), cv::Mat::ones(10, 10, CV_8UC1), 1) == 1.0);
  CHECK(boundary_tolerance_px(cv::Size(300, 400)) == 4);  // ceil(0.008 * 500)
  CHECK(boundary_tolerance_px(cv::Size(10, 10)) == 1);
}
