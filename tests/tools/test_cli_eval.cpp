// `portraitseg eval` end to end: one trained model scored as .ckpt, .pt and .onnx gives the same metrics, the
// outputs (--json, --per-image, --save-masks, --worst), bad input with clear errors, and the reference sets.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "tests/core/predictor_test_util.h"
#include "tests/core/trainer_test_util.h"
#include "tests/test_support.h"

using namespace pseg;
using namespace pseg::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

size_t line_count(const fs::path& p) {
  std::ifstream in(p);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

std::string data_spec(const fs::path& data) { return "list:" + data.string() + ",list=test.txt,mask_rule===1"; }

}  // namespace

TEST_CASE("cli eval: a trained model gives the same metrics as .ckpt, .pt and .onnx", "[tools][eval]") {
  ScratchDir dir("cli_eval_engines");
  write_tiny_dataset(dir / "data");
  // Trained long enough that its masks are neither empty nor full (about 0.48 mIOU per image): engines that
  // disagree would show in the metrics, which a degenerate all-background model would hide.
  json cfg = tiny_train_config(kPrisma, dir / "data", dir / "run");
  cfg["train"]["epochs"] = 6;
  const fs::path cfg_path = dir / "cfg.json";
  write_text(cfg_path, cfg.dump(2));
  const auto train = run_cli("train --config " + shell_arg(cfg_path) + " --quiet");
  INFO(train.out);
  REQUIRE(train.exit_code == 0);
  const fs::path ckpt = dir / "run" / "best.ckpt";
  REQUIRE(fs::exists(ckpt));
  const auto exported = run_cli("export --model " + shell_arg(ckpt) + " --format all --no-verify --out " +
                                shell_arg(dir / "export"));
  INFO(exported.out);
  REQUIRE(exported.exit_code == 0);

  std::vector<json> results;
  for (const fs::path model : {ckpt, dir / "export" / "best.pt", dir / "export" / "best.onnx"}) {
    const fs::path out = dir / (model.extension().string().substr(1) + ".json");
    const auto r = run_cli("eval --model " + shell_arg(model) + " --data " + shell_arg(data_spec(dir / "data")) +
                           " --json " + shell_arg(out));
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("miou_per_image") != std::string::npos);
    results.push_back(read_json(out));
  }
  const json& ref = results[0];
  CHECK(ref["images"] == 6);
  for (const char* key : {"iou_person", "iou_background", "miou_per_image"}) {
    INFO(key);
    CHECK(ref[key].get<double>() > 0.2);
    CHECK(ref[key].get<double>() < 0.99);
  }
  CHECK(ref["threshold"] == Approx(0.5));
  CHECK(ref["model"]["engine"] == "libtorch");
  CHECK(results[1]["model"]["engine"] == "torchscript");
  CHECK(results[2]["model"]["engine"] == "onednn");
  for (const char* key : {"miou_per_image", "miou_confusion", "iou_person", "iou_background", "pixel_accuracy",
                          "boundary_f", "ignored_pixels", "mean_inference_ms", "median_inference_ms"})
    REQUIRE(ref.contains(key));
  for (const auto& other : results)
    for (const char* key : {"miou_per_image", "miou_confusion", "iou_person", "iou_background", "pixel_accuracy"}) {
      INFO(other["model"]["engine"] << " " << key);
      CHECK(std::abs(other[key].get<double>() - ref[key].get<double>()) <= 0.001);
    }

  // The config's test split gives the same images as the spec naming them.
  const auto via_config = run_cli("eval --model " + shell_arg(ckpt) + " --config " + shell_arg(cfg_path) + " --json " +
                                  shell_arg(dir / "config.json"));
  INFO(via_config.out);
  REQUIRE(via_config.exit_code == 0);
  CHECK(read_json(dir / "config.json")["miou_confusion"] == ref["miou_confusion"]);
}

TEST_CASE("cli eval: per-image CSV, saved masks and the worst-image sheet", "[tools][eval]") {
  ScratchDir dir("cli_eval_outputs");
  write_tiny_dataset(dir / "data");
  const TinyModel model = write_tiny_model(dir.path(), "prisma", kPrisma);
  const auto r = run_cli("eval --model " + shell_arg(model.onnx) + " --data " + shell_arg(data_spec(dir / "data")) +
                         " --per-image " + shell_arg(dir / "images.csv") + " --save-masks " + shell_arg(dir / "masks") +
                         " --worst 3 --sheet " + shell_arg(dir / "worst.png") + " --threshold 0.4 --json " +
                         shell_arg(dir / "r.json"));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(line_count(dir / "images.csv") == 7);
  size_t masks = 0;
  for (const auto& e : fs::directory_iterator(dir / "masks")) {
    const cv::Mat m = cv::imread(e.path().string(), cv::IMREAD_UNCHANGED);
    CHECK(m.type() == CV_8UC1);
    CHECK(m.size() == cv::Size(64, 64));
    ++masks;
  }
  CHECK(masks == 6);
  const cv::Mat sheet = cv::imread((dir / "worst.png").string());
  REQUIRE_FALSE(sheet.empty());
  CHECK(sheet.rows > 3 * 160);
  CHECK(read_json(dir / "r.json")["threshold"].get<double>() == Approx(0.4));
}

TEST_CASE("cli eval: bad input gives one clear error line", "[tools][eval]") {
  ScratchDir dir("cli_eval_errors");
  write_tiny_dataset(dir / "data");
  const std::string spec = " --data " + shell_arg(data_spec(dir / "data"));

  auto missing = run_cli("eval --model " + shell_arg(dir / "nope.ckpt") + spec);
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.find("nope.ckpt: no such model file") != std::string::npos);

  auto no_data = run_cli("eval --model " + shell_arg(dir / "nope.ckpt"));
  CHECK(no_data.exit_code == 2);
  CHECK(no_data.out.find("--config or --data") != std::string::npos);

  const TinyModel video = write_tiny_model(dir.path(), "video",
                                           {{"net", "portrait_net"}, {"in_channels", 4}, {"input_size", {64, 64}}});
  // A 4-channel model with a config whose net takes 3 channels: the config is not this model's.
  json cfg = tiny_train_config(kPrisma, dir / "data", dir / "run");
  write_text(dir / "cfg3.json", cfg.dump());
  auto mismatch = run_cli("eval --model " + shell_arg(video.pt) + " --config " + shell_arg(dir / "cfg3.json"));
  INFO(mismatch.out);
  CHECK(mismatch.exit_code == 2);
  CHECK(mismatch.out.find("takes 4 input channels (image + prior)") != std::string::npos);
  CHECK(mismatch.out.find("prisma_net taking 3 input channels") != std::string::npos);
  // The same model on plain images runs, with an empty prior, and says so.
  auto video_ok = run_cli("eval --model " + shell_arg(video.onnx) + spec);
  INFO(video_ok.out);
  CHECK(video_ok.exit_code == 0);
  CHECK(video_ok.out.find("empty prior") != std::string::npos);

  // An empty test split: a list naming no pairs, and a config without test split.
  write_text(dir / "data" / "empty.txt", "");
  auto empty = run_cli("eval --model " + shell_arg(video.onnx) + " --data " +
                       shell_arg("list:" + (dir / "data").string() + ",list=empty.txt"));
  INFO(empty.out);
  CHECK(empty.exit_code == 1);
  CHECK(empty.out.find("no usable image/mask pairs") != std::string::npos);
  json no_test = cfg;
  no_test["data"].erase("test");
  no_test["data"]["split"] = {{"test_fraction", 0}};
  write_text(dir / "no_test.json", no_test.dump());
  auto no_split = run_cli("eval --model " + shell_arg(video.onnx) + " --config " + shell_arg(dir / "no_test.json"));
  CHECK(no_split.exit_code == 2);
  CHECK(no_split.out.find("no test split") != std::string::npos);

  // An unreadable image in the test list.
  std::ifstream list_in(dir / "data" / "test.txt");
  std::string first_line;
  std::getline(list_in, first_line);
  const std::string image = first_line.substr(0, first_line.find(' '));
  write_text(dir / "data" / image, "not an image");
  auto unreadable = run_cli("eval --model " + shell_arg(video.onnx) + spec);
  INFO(unreadable.out);
  CHECK(unreadable.exit_code == 1);
  CHECK(unreadable.out.find(fs::path(image).filename().string()) != std::string::npos);

  auto bad_spec = run_cli("eval --model " + shell_arg(video.onnx) + " --data voc");
  CHECK(bad_spec.exit_code == 2);
  CHECK(bad_spec.out.find("expected FORMAT:PATH") != std::string::npos);
  auto bad_ext = run_cli("eval --model " + shell_arg(dir / "cfg3.json") + spec);
  CHECK(bad_ext.exit_code == 2);
  CHECK(bad_ext.out.find("unknown model type") != std::string::npos);
}

TEST_CASE("cli eval: the imported reference Prisma-Net gives its known accuracy on VOC and AISegment",
          "[tools][eval][reference]") {
  const fs::path ref = reference_dir_or_skip();
  ScratchDir dir("cli_eval_reference");
  const fs::path ckpt = dir / "prisma.ckpt";
  const auto import = run_cli("import --from " + shell_arg(ref / "models" / "prisma_nchw.onnx") +
                              " --net prisma_net --out " + shell_arg(ckpt));
  INFO(import.out);
  REQUIRE(import.exit_code == 0);
  // Known results (reference/README.md): onnxruntime, INTER_AREA to 256, RGB/255, bilinear back, threshold 0.5.
  struct Case {
    std::string spec;
    int64_t images;
    double per_image, confusion;
  };
  for (const Case& c : {Case{"voc:" + (ref / "datasets" / "VOCdevkit" / "person").string(), 12, 0.622, 0.712},
                        Case{"aisegment:" + (ref / "datasets" / "ai_segment").string(), 4, 0.965, 0.954}}) {
    INFO(c.spec);
    const auto r = run_cli("eval --model " + shell_arg(ckpt) + " --data " + shell_arg(c.spec) + " --json " +
                           shell_arg(dir / "r.json"));
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const json j = read_json(dir / "r.json");
    CHECK(j["images"] == c.images);
    CHECK(j["miou_per_image"].get<double>() == Approx(c.per_image).margin(0.001));
    CHECK(j["miou_confusion"].get<double>() == Approx(c.confusion).margin(0.001));
    if (c.images == 12) CHECK(j["ignored_pixels"].get<int64_t>() > 0);  // the VOC void band
  }
}
