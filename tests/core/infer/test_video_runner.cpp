// Video: the temporal prior fed by the 4-channel path (checked by a recording predictor), frame skip, smoothing,
// scene cuts, and run_video on a short clip generated here (frame count, size, frame rate, codecs, bad input).
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "core/infer/scene_cut.h"
#include "core/infer/temporal_mask.h"
#include "core/infer/video_job.h"
#include "tests/test_support.h"
#include "tests/core/video_test_util.h"

using namespace pseg;
using pseg::test::count_frames;

namespace {

constexpr int kNet = 32;  // the fake model's input size

ModelMeta fake_meta(bool prior) {
  ModelMeta m;
  m.net = "fake";
  m.channels = prior ? 4 : 3;
  m.prior_channel = prior;
  m.height = kNet;
  m.width = kNet;
  m.color_order = "bgr";
  m.normalization = "unit";
  m.mean = {0.f, 0.f, 0.f};
  m.scale = {1.f / 255, 1.f / 255, 1.f / 255};
  m.resize = "stretch";
  return m;
}

// Records what the net is given and returns its own deterministic "probability": noise from a counter, so
// consecutive outputs differ and each one can be recognised later as a prior.
class RecordingPredictor : public Predictor {
 public:
  explicit RecordingPredictor(bool prior) : Predictor(fake_meta(prior), "libtorch", "fake", {}) {}

  cv::Mat infer(const cv::Mat& blob) override {
    REQUIRE(blob.dims == 4);
    REQUIRE(blob.size[1] == meta().channels);
    const int plane[] = {1, 1, kNet, kNet};
    if (meta().prior_channel) {
      cv::Mat p(4, plane, CV_32F);
      std::memcpy(p.ptr<float>(), blob.ptr<float>() + 3 * kNet * kNet, kNet * kNet * sizeof(float));
      priors.push_back(p);
    }
    cv::Mat out(4, plane, CV_32F);
    cv::Mat view(kNet, kNet, CV_32F, out.ptr<float>());
    cv::theRNG().state = 1000 + outputs.size();
    cv::randu(view, 0.f, 1.f);
    outputs.push_back(out);
    return out;
  }

  std::vector<cv::Mat> priors;   // channel 4 of every net input
  std::vector<cv::Mat> outputs;  // every net output
};

double max_diff(const cv::Mat& a, const cv::Mat& b) {
  return cv::norm(a.reshape(1, 1), b.reshape(1, 1), cv::NORM_INF);
}

cv::Mat frame(int i, cv::Size size = {96, 64}, bool other_scene = false) {
  cv::Mat f(size, CV_8UC3, other_scene ? cv::Scalar(230, 240, 250) : cv::Scalar(40, 70, 30));
  cv::circle(f, cv::Point(30 + 2 * i, 34), 14, cv::Scalar(60, 140, 210), cv::FILLED);
  return f;
}

// A clip of `n` frames with a cut to another scene at frame `cut` (none when cut < 0).
void write_clip(const std::string& path, int n, int cut, double fps = 12) {
  cv::VideoWriter w(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps, cv::Size(96, 64));
  REQUIRE(w.isOpened());
  for (int i = 0; i < n; ++i) w.write(frame(i, {96, 64}, cut >= 0 && i >= cut));
}

}  // namespace

TEST_CASE("temporal prior: the 4-channel path feeds the previous frame's net-size probability", "[core][video]") {
  RecordingPredictor net(true);
  TemporalMasker masker(net, TemporalOptions{});
  REQUIRE(masker.uses_prior());
  for (int i = 0; i < 4; ++i) {
    const FrameMask m = masker.next(frame(i), false);
    CHECK(m.net_run);
    CHECK(m.prior_fed == (i > 0));
    REQUIRE(m.probability.size() == cv::Size(96, 64));
  }
  REQUIRE(net.priors.size() == 4);
  CHECK(cv::countNonZero(net.priors[0].reshape(1, kNet)) == 0);  // zeros on the first frame
  for (size_t i = 1; i < 4; ++i) CHECK(max_diff(net.priors[i], net.outputs[i - 1]) == 0);

  // A scene cut starts afresh: zeros again, then the new scene's outputs.
  masker.next(frame(0, {96, 64}, true), true);
  CHECK(cv::countNonZero(net.priors[4].reshape(1, kNet)) == 0);
  masker.next(frame(1, {96, 64}, true), false);
  CHECK(max_diff(net.priors[5], net.outputs[4]) == 0);
}

TEST_CASE("frame skip: the net runs every N-th frame and on cuts, the mask is reused in between", "[core][video]") {
  RecordingPredictor net(true);
  TemporalMasker masker(net, TemporalOptions{3, 0});
  std::vector<FrameMask> masks;
  for (int i = 0; i < 8; ++i) masks.push_back(masker.next(frame(i), i == 5));
  const std::vector<bool> expected_runs = {true, false, false, true, false, true, false, false};
  for (int i = 0; i < 8; ++i) CHECK(masks[i].net_run == expected_runs[i]);
  CHECK(net.outputs.size() == 3);
  CHECK(max_diff(masks[1].probability, masks[0].probability) == 0);
  CHECK(max_diff(masks[2].probability, masks[0].probability) == 0);
  CHECK(max_diff(masks[4].probability, masks[3].probability) == 0);
  // The run at frame 3 got the run at frame 0 as its prior; the cut at frame 5 got none.
  CHECK(max_diff(net.priors[1], net.outputs[0]) == 0);
  CHECK(cv::countNonZero(net.priors[2].reshape(1, kNet)) == 0);
  CHECK_THROWS_AS(TemporalMasker(net, TemporalOptions{0, 0}), std::invalid_argument);
  CHECK_THROWS_AS(TemporalMasker(net, TemporalOptions{1, 1.0}), std::invalid_argument);
}

TEST_CASE("smoothing: mask_t = A * mask_t-1 + (1 - A) * net output, restarted at a cut", "[core][video]") {
  RecordingPredictor net(false);
  TemporalMasker masker(net, TemporalOptions{1, 0.75});
  CHECK_FALSE(masker.uses_prior());
  const FrameMask m0 = masker.next(frame(0), false);
  const cv::Mat p0 = m0.probability.clone();
  const FrameMask m1 = masker.next(frame(1), false);
  CHECK_FALSE(m1.prior_fed);
  const cv::Mat raw1 = net.postprocess(net.outputs[1], p0.size());
  const cv::Mat expected = 0.75 * p0 + 0.25 * raw1;
  CHECK(max_diff(m1.probability, expected) < 1e-5);
  const FrameMask m2 = masker.next(frame(2), true);
  CHECK(max_diff(m2.probability, net.postprocess(net.outputs[2], p0.size())) < 1e-6);
}

TEST_CASE("scene cuts: a new shot is a cut, motion within a shot is not", "[core][video]") {
  SceneCutDetector d;
  CHECK_FALSE(d.is_cut(frame(0)));
  for (int i = 1; i < 6; ++i) CHECK_FALSE(d.is_cut(frame(i)));
  CHECK(d.last_difference() < 5);
  CHECK(d.is_cut(frame(6, {96, 64}, true)));
  CHECK(d.last_difference() > kDefaultSceneCutThreshold);
  CHECK_FALSE(d.is_cut(frame(7, {96, 64}, true)));
}

TEST_CASE("run_video: same frame count, size and rate, prior fed on every frame but the first and the cut",
          "[core][video]") {
  test::ScratchDir dir("video_runner");
  const std::string in = (dir / "in.avi").string();
  write_clip(in, 12, 8);
  for (const char* name : {"out.avi", "out.mp4", "out.mkv"}) {
    RecordingPredictor net(true);
    VideoOptions o;
    o.input = in;
    o.output = (dir / name).string();
    o.effect = VideoEffect::Replace;
    o.background = Background::colour(cv::Scalar(0, 255, 0));
    // The callback runs on run_video's encoding thread: it records, the checks run here (Catch2 v2 assertions are
    // not thread-safe, and the recording predictor asserts on the caller's thread meanwhile).
    std::vector<int64_t> frames, totals;
    const VideoReport r = run_video(net, o, [&](const VideoProgress& p) {
      frames.push_back(p.frame);
      totals.push_back(p.total);
    });
    INFO(name);
    REQUIRE(frames.size() == 12);
    for (int64_t i = 0; i < 12; ++i) {
      CHECK(frames[i] == i + 1);
      CHECK(totals[i] == 12);
    }
    CHECK(r.frames == 12);
    CHECK(r.net_runs == 12);
    CHECK(r.scene_cuts == 1);
    CHECK(r.prior_fed == 10);
    CHECK(r.prior_model);
    CHECK(r.stability > 0);
    cv::Size size;
    double fps = 0;
    CHECK(count_frames(o.output, &size, &fps) == 12);
    CHECK(size == cv::Size(96, 64));
    CHECK(fps == Approx(12).epsilon(0.01));
  }
}

TEST_CASE("run_video: --every, --max-frames and the mask effect", "[core][video]") {
  test::ScratchDir dir("video_runner_opts");
  const std::string in = (dir / "in.avi").string();
  write_clip(in, 10, -1);
  RecordingPredictor net(false);
  VideoOptions o;
  o.input = in;
  o.output = (dir / "mask.avi").string();
  o.effect = VideoEffect::Mask;
  o.temporal.every = 2;
  o.max_frames = 7;
  const VideoReport r = run_video(net, o);
  CHECK(r.frames == 7);
  CHECK(r.net_runs == 4);
  CHECK(r.prior_fed == 0);
  CHECK(count_frames(o.output) == 7);
}

TEST_CASE("run_video: steadier masks with smoothing, as the stability figure shows", "[core][video]") {
  test::ScratchDir dir("video_runner_smooth");
  const std::string in = (dir / "in.avi").string();
  write_clip(in, 8, -1);
  double stability[2];
  for (int k = 0; k < 2; ++k) {
    RecordingPredictor net(false);
    VideoOptions o;
    o.input = in;
    o.output = (dir / ("out" + std::to_string(k) + ".avi")).string();
    o.temporal.smooth = k == 0 ? 0.0 : 0.8;
    stability[k] = run_video(net, o).stability;
  }
  CHECK(stability[1] < 0.5 * stability[0]);
}

TEST_CASE("run_video: unreadable input and bad output names are clear errors", "[core][video]") {
  test::ScratchDir dir("video_runner_bad");
  RecordingPredictor net(true);
  VideoOptions o;
  o.output = (dir / "out.avi").string();
  o.input = (dir / "missing.mp4").string();
  CHECK_THROWS_WITH(run_video(net, o), Catch::Matchers::Contains("missing.mp4"));
  o.input = (dir / "not_a_video.mp4").string();
  test::write_text(o.input, "this is not a video");
  CHECK_THROWS_AS(run_video(net, o), std::runtime_error);
  write_clip((dir / "in.avi").string(), 3, -1);
  o.input = (dir / "in.avi").string();
  o.output = (dir / "out.gif").string();
  CHECK_THROWS_AS(run_video(net, o), std::invalid_argument);
  CHECK(fourcc_for("a/b.MP4") == "mp4v");
  CHECK(fourcc_for("x.avi") == "MJPG");
  CHECK(parse_video_effect("blur") == VideoEffect::Blur);
  CHECK_THROWS_AS(parse_video_effect("cutout"), std::invalid_argument);
}

TEST_CASE("run_video: an exception from the progress callback stops every stage and no output is left",
          "[core][video]") {
  test::ScratchDir dir("video_runner_throw");
  const std::string in = (dir / "in.avi").string();
  write_clip(in, 12, -1);
  RecordingPredictor net(false);
  VideoOptions o;
  o.input = in;
  o.output = (dir / "out.avi").string();
  int64_t calls = 0;
  CHECK_THROWS_WITH(run_video(net, o,
                              [&](const VideoProgress&) {
                                if (++calls == 3) throw std::runtime_error("stop here");
                              }),
                    "stop here");
  CHECK(calls == 3);
  CHECK_FALSE(std::filesystem::exists(o.output));
}
