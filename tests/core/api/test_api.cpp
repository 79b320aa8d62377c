// The public C++ API (core/api/portraitseg/) against its oracles: the CLI's outputs and messages for the same
// models and inputs, single-image results for batches, the documented video semantics.
#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>

#include "portraitseg/portraitseg.h"
#include "tests/core/predictor_test_util.h"
#include "tests/core/trainer_test_util.h"
#include "tests/test_support.h"

namespace ps = portraitseg;
using namespace pseg::test;

namespace {

double max_difference(const cv::Mat& a, const cv::Mat& b) {
  REQUIRE(a.size() == b.size());
  return cv::norm(a, b, cv::NORM_INF);
}

// The error line the CLI prints for `args`, without "error: ", checking its exit code.
std::string cli_error(const std::string& args, int exit_code) {
  const CommandResult r = run_cli(args);
  REQUIRE(r.exit_code == exit_code);
  const auto at = r.out.rfind("error: ");
  REQUIRE(at != std::string::npos);
  std::string line = r.out.substr(at + 7);
  return line.substr(0, line.find('\n'));
}

}  // namespace

TEST_CASE("Segmenter: each engine's mask equals the one `portraitseg test` writes", "[api]") {
  ScratchDir dir("api_segment");
  const TinyModel model = write_tiny_model(dir.path(), "prisma", kPrisma, pseg::ExportHead::Probability, "");
  const std::string photo = (dir / "photo.png").string();
  cv::imwrite(photo, test_image(90, 120));
  for (const std::string& file : {model.ckpt, model.pt, model.onnx}) {
    ps::Segmenter segmenter(file, ps::SegmenterOptions().threads(2));
    const cv::Mat probability = segmenter.segment(cv::imread(photo));
    CHECK(probability.type() == CV_32FC1);
    CHECK(probability.size() == cv::Size(120, 90));
    const std::string out = (dir / ("cli_" + segmenter.info().engine)).string();
    REQUIRE(run_cli("test --threads 2 --effect mask --model \"" + file + "\" --out \"" + out + "\" \"" + photo + "\"")
                .exit_code == 0);
    const cv::Mat cli_mask = cv::imread(out + "/photo_mask.png", cv::IMREAD_UNCHANGED);
    INFO(file);
    CHECK(cv::countNonZero(ps::to_mask8(probability) != cli_mask) == 0);
    CHECK(segmenter.info().net == "prisma_net");
    CHECK(segmenter.info().height == 64);
    CHECK(segmenter.info().producer.rfind("portraitseg " PORTRAITSEG_VERSION, 0) == 0);
  }
  CHECK(ps::Segmenter(model.onnx).info().engine == "onednn");
  CHECK(ps::Segmenter(model.ckpt).info().format == "checkpoint");
  CHECK(std::string(ps::library_version()) == PORTRAITSEG_VERSION);
  CHECK(ps::Segmenter::engines() ==
        std::vector<std::string>{"libtorch (.ckpt)", "torchscript (.pt)", "onednn (.onnx)", "opencv (.onnx)",
                                 "onnx-torch (.onnx)"});
}

TEST_CASE("Segmenter::segment_file decodes a large JPEG as `portraitseg test` does, --full-decode as segment(imread)",
          "[api]") {
  ScratchDir dir("api_segment_file");
  const TinyModel model = write_tiny_model(dir.path(), "prisma", kPrisma, pseg::ExportHead::Probability, "");
  const std::string photo = (dir / "large.jpg").string();  // 1/4 of it still covers the 64 x 64 input
  REQUIRE(cv::imwrite(photo, test_image(260, 300, 4), {cv::IMWRITE_JPEG_QUALITY, 95}));
  ps::Segmenter segmenter(model.onnx, ps::SegmenterOptions().threads(2));
  const cv::Mat reduced = segmenter.segment_file(photo);
  const cv::Mat full = segmenter.segment(cv::imread(photo));
  REQUIRE(reduced.size() == cv::Size(300, 260));
  CHECK(cv::mean(cv::abs(reduced - full))[0] < 0.02);  // the same photo, shrunk a little differently
  CHECK(max_difference(reduced, full) > 0);
  const auto cli_mask = [&](const std::string& flags) {
    const std::string out = (dir / ("cli" + flags)).string();
    REQUIRE(run_cli("test --threads 2 --effect mask --model \"" + model.onnx + "\" --out \"" + out + "\" \"" + photo +
                    "\" " + flags)
                .exit_code == 0);
    return cv::imread(out + "/large_mask.png", cv::IMREAD_UNCHANGED);
  };
  CHECK(cv::countNonZero(ps::to_mask8(reduced) != cli_mask("")) == 0);
  CHECK(cv::countNonZero(ps::to_mask8(full) != cli_mask("--full-decode")) == 0);
  CHECK_THROWS_WITH(segmenter.segment_file((dir / "none.jpg").string()), Catch::Contains("none.jpg"));
  CHECK_THROWS_AS(segmenter.segment_file((dir / "none.jpg").string()), ps::RuntimeError);
}

TEST_CASE("Segmenter: a batch gives each image's own probability", "[api]") {
  ScratchDir dir("api_batch");
  const TinyModel model = write_tiny_model(dir.path(), "prisma", kPrisma);
  const std::vector<cv::Mat> images = {test_image(64, 64, 0), test_image(100, 80, 1), test_image(50, 70, 2)};
  for (const std::string& file : {model.ckpt, model.onnx}) {  // one net run for N images; one image at a time
    ps::Segmenter segmenter(file);
    const std::vector<cv::Mat> batch = segmenter.segment(images);
    REQUIRE(batch.size() == images.size());
    for (size_t i = 0; i < images.size(); ++i) {
      INFO(file << " image " << i);
      CHECK(max_difference(batch[i], segmenter.segment(images[i])) < 1e-5);
    }
  }
}

TEST_CASE("VideoSegmenter: the previous frame's mask feeds a 4-channel model until a reset or a scene cut", "[api]") {
  ScratchDir dir("api_video");
  const TinyModel model = write_tiny_model(dir.path(), "video", kPortraitVideo, pseg::ExportHead::Probability, "pred.");
  const cv::Mat a = test_image(72, 96, 0);
  cv::Mat other(72, 96, CV_8UC3, cv::Scalar(250, 250, 250));  // far from `a`: a scene cut
  ps::Segmenter still(model.ckpt);
  const cv::Mat no_prior = still.segment(a);

  ps::VideoSegmenter video(model.ckpt);
  CHECK(max_difference(video.next(a), no_prior) == 0);  // first frame: zero prior
  CHECK(max_difference(video.next(a), no_prior) > 1e-3);  // second: the first frame's mask is an input
  video.reset();
  CHECK(max_difference(video.next(a), no_prior) == 0);
  CHECK(max_difference(video.next(other), still.segment(other)) == 0);  // the cut drops the prior

  ps::VideoSegmenter every_second(model.ckpt, ps::SegmenterOptions(), ps::VideoOptions().every(2));
  const cv::Mat first = every_second.next(a);
  CHECK(max_difference(every_second.next(test_image(72, 96, 3)), first) == 0);  // reused, net not run
  CHECK_THROWS_AS(ps::VideoSegmenter(model.ckpt, ps::SegmenterOptions(), ps::VideoOptions().every(0)), ps::ConfigError);
  CHECK_THROWS_AS(video.next(cv::Mat()), ps::ConfigError);
}

TEST_CASE("API errors are the documented types with the CLI's messages", "[api]") {
  ScratchDir dir("api_errors");
  const TinyModel model = write_tiny_model(dir.path(), "prisma", kPrisma);
  const std::string photo = (dir / "photo.png").string();
  cv::imwrite(photo, test_image(40, 40));
  const std::string corrupt = (dir / "corrupt.onnx").string();
  write_text(corrupt, "not an onnx file");
  try {
    ps::Segmenter s(corrupt);
    FAIL("no error for a corrupt model");
  } catch (const ps::RuntimeError& e) {
    CHECK(e.what() == cli_error("test --model \"" + corrupt + "\" \"" + photo + "\"", 1));
  }
  CHECK_THROWS_MATCHES(ps::Segmenter((dir / "missing.onnx").string()), ps::RuntimeError,
                       Catch::Message((dir / "missing.onnx").string() + ": no such model file"));
  try {
    ps::Segmenter s(model.onnx, ps::SegmenterOptions().engine("tensorrt"));
    FAIL("no error for an unknown engine");
  } catch (const ps::ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Contains("unknown inference engine \"tensorrt\" (known: libtorch, torchscript, onednn, opencv, onnx-torch)"));
  }
  CHECK_THROWS_WITH(ps::Segmenter(model.onnx, ps::SegmenterOptions().engine("torchscript")),
                    "engine torchscript opens .pt files, not " + model.onnx);
  CHECK(ps::Segmenter(model.pt, ps::SegmenterOptions().engine("torchscript")).info().engine == "torchscript");
  CHECK_THROWS_AS(ps::Segmenter(model.onnx, ps::SegmenterOptions().device("gpu")), ps::ConfigError);
  CHECK_THROWS_AS(ps::Segmenter(model.onnx, ps::SegmenterOptions().interpolation("nearest")), ps::ConfigError);
  ps::Segmenter segmenter(model.onnx);
  CHECK_THROWS_AS(segmenter.segment(cv::Mat()), ps::ConfigError);
  CHECK_THROWS_AS(segmenter.segment(cv::Mat(8, 8, CV_8UC1, cv::Scalar(0))), ps::ConfigError);
  CHECK_THROWS_AS(ps::alpha_matte(cv::Mat(8, 8, CV_32FC1, cv::Scalar(0.5)), ps::MatteOptions().threshold(1.5f)),
                  ps::ConfigError);
  CHECK_THROWS_AS(ps::set_log_level("loud"), ps::ConfigError);
  CHECK_THROWS_AS(ps::export_model(model.ckpt, ps::ExportOptions().format("tflite")), ps::ConfigError);
  const std::string weights = (dir / "missing.h5").string();
  write_text(weights, "not hdf5");
  try {
    ps::import_weights(weights, "mobile_unet", (dir / "out.ckpt").string());
    FAIL("no error for a corrupt weight file");
  } catch (const std::exception& e) {
    const bool runtime = dynamic_cast<const ps::RuntimeError*>(&e) != nullptr;
    CHECK(e.what() == cli_error("import --from \"" + weights + "\" --net mobile_unet --out \"" +
                                    (dir / "out.ckpt").string() + "\"", runtime ? 1 : 2));
  }
  CHECK_FALSE(std::filesystem::exists(dir / "out.ckpt"));
}

TEST_CASE("Config: parsed, changed and validated like the CLI's --set", "[api]") {
  ps::Config config = ps::Config::parse(R"({"model": {"net": "prisma_net", "input_size": [64, 64]}})", "inline");
  CHECK(config.net() == "prisma_net");
  config.set("model.input_size=[96,96]");
  CHECK(nlohmann::json::parse(config.json())["model"]["input_size"] == nlohmann::json({96, 96}));
  const std::string before = config.json();
  CHECK_THROWS_WITH(config.set("model.colour=1"), Catch::StartsWith("inline: model.colour"));
  CHECK(config.json() == before);
  CHECK_THROWS_AS(config.set("no-equals-sign"), ps::ConfigError);
  CHECK_THROWS_WITH(ps::Config::parse("{\"model\": ", "broken.json"), Catch::StartsWith("broken.json: invalid JSON"));
  CHECK_THROWS_AS(ps::Config::load("/nonexistent/config.json"), ps::ConfigError);
  CHECK(ps::Config::load(source_path("configs/demo.json")).net() == "prisma_net");
}

TEST_CASE("train reports every step and epoch, and evaluate agrees with `portraitseg eval`", "[api]") {
  ScratchDir dir("api_train");
  write_tiny_dataset(dir / "data");
  nlohmann::json j = tiny_train_config(kPrisma, dir / "data", dir / "run");
  j["train"]["epochs"] = 2;
  const std::string config_path = (dir / "config.json").string();
  write_text(config_path, j.dump());

  int64_t steps = 0;
  std::vector<ps::EpochProgress> epochs;
  const ps::TrainSummary trained = ps::train(ps::Config::load(config_path),
                                             ps::TrainOptions()
                                                 .on_step([&](const ps::StepProgress& p) {
                                                   ++steps;
                                                   CHECK(p.step >= 1);
                                                   CHECK(p.step <= p.steps_per_epoch);
                                                   CHECK(std::isfinite(p.loss));
                                                 })
                                                 .on_epoch([&](const ps::EpochProgress& p) { epochs.push_back(p); }));
  CHECK(trained.epochs_completed == 2);
  CHECK(steps == trained.steps);
  REQUIRE(epochs.size() == 2);
  CHECK(epochs[1].epoch == 2);
  CHECK(epochs[1].epochs == 2);
  CHECK(epochs[1].validated);
  CHECK(epochs[1].miou_per_image == Approx(nlohmann::json::parse(trained.json)["last_validation"]["miou_per_image"].get<double>()));
  CHECK(std::filesystem::exists(trained.last_checkpoint()));

  const ps::EvalSummary api = ps::evaluate(trained.last_checkpoint(), ps::EvalOptions().config(config_path));
  const std::string cli_json = (dir / "eval.json").string();
  const CommandResult cli = run_cli("eval --json \"" + cli_json + "\" --model \"" + trained.last_checkpoint() +
                                    "\" --config \"" + config_path + "\"");
  INFO(cli.out);
  REQUIRE(cli.exit_code == 0);
  const nlohmann::json expected = read_json(cli_json);
  CHECK(api.images == 6);
  CHECK(api.miou_per_image == expected["miou_per_image"].get<double>());
  CHECK(api.miou_confusion == expected["miou_confusion"].get<double>());
  CHECK(api.boundary_f == expected["boundary_f"].get<double>());
  CHECK_THROWS_AS(ps::evaluate(trained.last_checkpoint(), ps::EvalOptions()), ps::ConfigError);

  const ps::ExportSummary exported =
      ps::export_model(trained.last_checkpoint(), ps::ExportOptions().format("onnx").out((dir / "m.onnx").string()));
  REQUIRE(exported.files == std::vector<std::string>{(dir / "m.onnx").string()});
  CHECK(ps::Segmenter(exported.files[0]).info().format == "onnx");
}
