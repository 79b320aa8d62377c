// run_photos, the pipeline behind `portraitseg test` (one inference worker between a decoding and a writing thread, or
// several that decode, infer and encode with a writing thread after them): results come in input order with a failing
// photo in the middle reported in its place, outputs equal the Predictor's own mask whatever the number of workers, and
// an exception from the result callback stops every stage and reaches the caller. photo_workers: the default number of
// workers.
#include <catch2/catch.hpp>

#include <opencv2/imgcodecs.hpp>

#include <utility>
#include <stdexcept>

#include "core/infer/effects.h"
#include "core/infer/photo_job.h"
#include "tests/core/predictor_test_util.h"
#include "tests/test_support.h"

using namespace pseg;
using namespace pseg::test;
namespace fs = std::filesystem;

namespace {

// Seven photos of different sizes named p0..p6, p3 a truncated file.
void write_photos(const fs::path& dir) {
  fs::create_directories(dir);
  for (int i = 0; i < 7; ++i) {
    const fs::path path = dir / ("p" + std::to_string(i) + ".png");
    if (i == 3) {
      write_text(path, "\x89PNG not really");
      continue;
    }
    cv::Mat img(40 + 9 * i, 70 - 5 * i, CV_8UC3);
    cv::randu(img, 0, 255);
    REQUIRE(cv::imwrite(path.string(), img));
  }
}

// The photos of write_photos in <dir>/in, masks to <dir>/out.
PhotoOptions mask_photos_of(const ScratchDir& dir) {
  write_photos(dir / "in");
  PhotoOptions options;
  options.inputs = {(dir / "in").string()};
  options.out_dir = (dir / "out").string();
  options.effect = PhotoEffect::Mask;
  return options;
}

}  // namespace

TEST_CASE("run_photos reports every photo in input order, a failure in its place", "[core][photo_job]") {
  const size_t workers = GENERATE(1, 3);
  INFO(workers << " inference worker(s)");
  ScratchDir dir("photo_job");
  const std::string model = write_tiny_model(dir.path(), "prisma", kPrisma).onnx;
  std::vector<std::unique_ptr<Predictor>> copies;
  std::vector<Predictor*> predictors;
  PredictorOptions one_thread;
  one_thread.threads = 1;
  for (size_t i = 0; i < workers; ++i) predictors.push_back(copies.emplace_back(open_predictor(model, one_thread)).get());
  Predictor* predictor = predictors.front();
  const PhotoOptions options = mask_photos_of(dir);
  std::vector<PhotoResult> results;
  const PhotoSummary summary = run_photos(predictors, options, [&](const PhotoResult& r) { results.push_back(r); });
  CHECK(summary.processed == 6);
  CHECK(summary.failed == 1);
  CHECK(summary.seconds > 0);
  REQUIRE(results.size() == 7);
  for (int i = 0; i < 7; ++i) {
    const fs::path input = dir / "in" / ("p" + std::to_string(i) + ".png");
    INFO(results[i].input << " " << results[i].error);
    CHECK(fs::path(results[i].input) == input);
    if (i == 3) {
      CHECK_FALSE(results[i].ok());
      CHECK(results[i].error.find("p3.png") != std::string::npos);
      CHECK(results[i].outputs.empty());
      continue;
    }
    REQUIRE(results[i].ok());
    const cv::Mat written = cv::imread(results[i].outputs.at("mask"), cv::IMREAD_UNCHANGED);
    const cv::Mat expected = to_mask8(predictor->predict(cv::imread(input.string())).probability);
    REQUIRE(written.size() == expected.size());
    CHECK(cv::norm(written, expected, cv::NORM_INF) == 0);
  }
  CHECK_FALSE(fs::exists(dir / "out" / "p3_mask.png"));
}

TEST_CASE("run_photos with several workers: each its own background, the pictures of one worker", "[core][photo_job]") {
  ScratchDir dir("photo_job_replace");
  const std::string model = write_tiny_model(dir.path(), "prisma", kPrisma).onnx;
  cv::Mat beach(90, 130, CV_8UC3);
  cv::randu(beach, 0, 255);
  REQUIRE(cv::imwrite((dir / "beach.png").string(), beach));
  PredictorOptions one_thread;
  one_thread.threads = 1;
  std::vector<std::unique_ptr<Predictor>> copies;
  for (int i = 0; i < 3; ++i) copies.push_back(open_predictor(model, one_thread));
  // The photos differ in size, so the workers' backgrounds are rescaled photo after photo, at the same time.
  PhotoOptions options = mask_photos_of(dir);
  options.effect = PhotoEffect::Replace;
  options.background = (dir / "beach.png").string();
  const auto run = [&](std::vector<Predictor*> predictors, const std::string& out) {
    options.out_dir = (dir / out).string();
    for (int repeat = 0; repeat < 5; ++repeat) run_photos(predictors, options);
  };
  run({copies[0].get()}, "one");
  run({copies[0].get(), copies[1].get(), copies[2].get()}, "three");
  for (int i = 0; i < 7; ++i) {
    if (i == 3) continue;
    const std::string name = "p" + std::to_string(i) + "_replace.png";
    INFO(name);
    const cv::Mat a = cv::imread((dir / "one" / name).string()), b = cv::imread((dir / "three" / name).string());
    REQUIRE_FALSE(a.empty());
    REQUIRE(a.size() == b.size());
    CHECK(cv::norm(a, b, cv::NORM_INF) == 0);
  }
}

TEST_CASE("an exception from the result callback stops run_photos and reaches the caller", "[core][photo_job]") {
  ScratchDir dir("photo_job_throw");
  const std::string model = write_tiny_model(dir.path(), "prisma", kPrisma).onnx;
  auto first = open_predictor(model), second = open_predictor(model);
  const PhotoOptions options = mask_photos_of(dir);
  int calls = 0;
  CHECK_THROWS_WITH(run_photos({first.get(), second.get()}, options,
                               [&](const PhotoResult&) {
                                 if (++calls == 2) throw std::runtime_error("stop here");
                               }),
                    "stop here");
  CHECK(calls == 2);
  CHECK_THROWS_WITH(run_photos({}, options), "run_photos: expected at least one predictor");
}

TEST_CASE("photo_workers: as asked (at most one per photo), else two on the CPU for four photos or more and two threads or more",
          "[core][photo_job]") {
  const auto plan = [](int requested, size_t photos, int threads, const char* device) {
    const PhotoWorkers w = photo_workers(requested, photos, threads, device);
    return std::pair{w.count, w.threads};
  };
  CHECK(plan(3, 5, 1, "cpu") == std::pair{3, 1});  // at least one thread each
  CHECK(plan(3, 5, 7, "cpu") == std::pair{3, 2});
  CHECK(plan(3, 2, 2, "cpu") == std::pair{2, 1});  // no copy of the model without a photo to run
  CHECK(plan(3, 0, 2, "cpu") == std::pair{1, 0});
  CHECK(plan(0, 4, 2, "cpu") == std::pair{2, 1});
  CHECK(plan(0, 500, 16, "cpu") == std::pair{2, 8});
  CHECK(plan(0, 3, 2, "cpu") == std::pair{1, 0});  // one worker keeps the process's threads
  CHECK(plan(0, 4, 1, "cpu") == std::pair{1, 0});
  CHECK(plan(0, 40, 2, "cuda:0") == std::pair{1, 0});
  CHECK_THROWS_WITH(photo_workers(-1, 4, 2, "cpu"), "--workers -1: expected >= 0");
}
