// portraitseg import end to end: refusals leave no file; the imported reference Prisma-Net exports to an ONNX
// file that OpenCV DNN runs and onnxruntime matches against the original reference file; an imported checkpoint
// starts a fine-tune on the reference VOC + AISegment pairs.
#include <filesystem>
#include <set>

#include "tests/core/export_test_util.h"
#include "tests/core/import_test_util.h"
#include "core/model_io/checkpoint.h"

using namespace pseg;
using namespace pseg::test;

namespace {

CommandResult run_ort(const fs::path& dir, const std::string& tag, const nlohmann::json& manifest) {
  const fs::path m = dir / (tag + ".json");
  write_text(m.string(), manifest.dump());
  const auto r = run_shell("node " + shell_arg(source_path("tests/node/run_onnx.js")) + " " + shell_arg(m));
  skip_if_checker_unavailable(r, "node with onnxruntime-node");
  return r;
}

}  // namespace

TEST_CASE("import: refusals exit non-zero, name the problem and write nothing", "[cli][import][errors]") {
  ScratchDir dir("cli_import_errors");
  const fs::path out = dir / "out.ckpt";
  const fs::path onnx = dir / "munet.onnx";
  const auto e = run_cli("export --config " + shell_arg(config_path("mobile_unet_deconv")) +
                         " --format onnx --size 64x64 --no-verify --out " + shell_arg(onnx));
  REQUIRE(e.exit_code == 0);
  const auto listing = [&] {
    std::set<std::string> names;
    for (const auto& f : fs::directory_iterator(dir.path())) names.insert(f.path().filename().string());
    return names;
  };
  const fs::path garbage = dir / "garbage.h5";
  write_text(garbage, "garbage");
  const std::set<std::string> before = listing();

  auto r = run_cli("import --from " + shell_arg(onnx) + " --net prisma_net --out " + shell_arg(out));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("Conv node") && Catch::Contains("e0"));
  r = run_cli("import --from " + shell_arg(onnx) + " --net no_such_net --out " + shell_arg(out));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("unknown net \"no_such_net\""));
  r = run_cli("import --from " + shell_arg(config_path("prisma_net")) + " --net prisma_net --out " + shell_arg(out));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("unknown weight format \".json\""));
  r = run_cli("import --from " + shell_arg(garbage) + " --net slim_net --out " + shell_arg(out));
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("not an HDF5 file"));
  CHECK(listing() == before);

  r = run_cli("import --from " + shell_arg(onnx) + " --net mobile_unet --set model.input_size=[64,64] --json --out " +
              shell_arg(out));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out.substr(r.out.find('{')));
  CHECK(j.at("format") == "onnx");
  CHECK(j.at("values").get<int64_t>() > 3000000);
  const LoadedCheckpoint ckpt = load_checkpoint(out.string());
  CHECK(ckpt.config.model.net == "mobile_unet");
  CHECK(ckpt.config.model.height == 64);
  CHECK(ckpt.net->input_spec().normalization == "unit");
}

TEST_CASE("import: reference Prisma-Net -> export --format onnx runs in OpenCV and matches the reference file in onnxruntime",
          "[cli][import][reference][onnxruntime]") {
  const auto ref = reference_dir_or_skip();
  ScratchDir dir("cli_import_roundtrip");
  const fs::path reference = ref / "models/prisma_nchw.onnx";
  const fs::path ckpt = dir / "prisma.ckpt";
  auto r = run_cli("import --from " + shell_arg(reference) + " --net prisma_net --out " + shell_arg(ckpt));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("923057 values"));
  const fs::path exported = dir / "prisma.onnx";
  r = run_cli("export --model " + shell_arg(ckpt) + " --format onnx --dynamic-batch --out " + shell_arg(exported));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("verified with OpenCV DNN"));

  std::vector<torch::Tensor> xs;
  for (const auto& img : dataset_images(ref)) xs.push_back(reference_input(img, 256));
  for (const auto& [stem, photo] : reference_photos(ref)) xs.push_back(reference_input(photo, 256));
  const torch::Tensor x = torch::cat(xs);
  write_raw((dir / "input.raw").string(), x);
  const nlohmann::json shape = {x.size(0), 1, 256, 256};
  auto o = run_ort(dir.path(), "reference", {{"model", reference.string()},
                                             {"input", {{"file", (dir / "input.raw").string()}, {"shape", x.sizes().vec()}, {"name", "input_3"}}},
                                             {"output", "permute_2"},
                                             {"output_file", (dir / "reference_out.raw").string()}});
  INFO(o.out);
  REQUIRE(o.exit_code == 0);
  o = run_ort(dir.path(), "exported", {{"model", exported.string()},
                                       {"input", {{"file", (dir / "input.raw").string()}, {"shape", x.sizes().vec()}}},
                                       {"reference", {{"file", (dir / "reference_out.raw").string()}, {"shape", shape}}},
                                       {"tolerance", 1e-4}});
  INFO(o.out);
  std::printf("exported imported Prisma-Net vs reference ONNX in onnxruntime, %lld images: %s",
              static_cast<long long>(x.size(0)), o.out.c_str());
  CHECK(o.exit_code == 0);
}

TEST_CASE("import: the reference Slim-Net .h5 becomes a checkpoint", "[cli][import][reference]") {
  const auto ref = reference_dir_or_skip();
  ScratchDir dir("cli_import_slim");
  const fs::path ckpt = dir / "slim.ckpt";
  const auto r = run_cli("import --from " + shell_arg(ref / "models/slim_reshape.h5") +
                         " --net slim_net --json --out " + shell_arg(ckpt));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out.substr(r.out.find('{')));
  CHECK(j.at("format") == "keras_h5");
  CHECK(j.at("layers") == 208);
  CHECK(j.at("values") == 347570);
  CHECK(j.at("parameters") == 347570);
  CHECK(load_checkpoint(ckpt.string()).config.model.net == "slim_net");
}

TEST_CASE("import: train.init_from an imported checkpoint fine-tunes on the reference VOC + AISegment pairs",
          "[cli][import][train][reference]") {
  const auto ref = reference_dir_or_skip();
  ScratchDir dir("cli_import_finetune");
  const fs::path ckpt = dir / "prisma.ckpt";
  REQUIRE(run_cli("import --from " + shell_arg(ref / "models/prisma_nchw.onnx") + " --net prisma_net --out " +
                  shell_arg(ckpt)).exit_code == 0);
  const nlohmann::json voc = {{"format", "voc"}, {"root", (ref / "datasets/VOCdevkit/person").string()}};
  const nlohmann::json ais = {{"format", "aisegment"}, {"root", (ref / "datasets/ai_segment").string()}, {"soft", true}};
  const nlohmann::json config = {
      {"model", {{"net", "prisma_net"}, {"input_size", {128, 128}}}},
      {"data", {{"train", {voc, ais}}, {"test", {voc}}}},
      {"augment", {{"recipe", "none"}}},
      {"loss", {{"recipe", "bce"}}},
      {"optim", {{"name", "adam"}, {"lr", 1e-4}}},
      {"train",
       {{"epochs", 1}, {"batch_size", 4}, {"max_steps_per_epoch", 2}, {"threads", 1}, {"workers", 0},
        {"init_from", ckpt.string()}, {"run_dir", (dir / "run").string()}}}};
  write_text((dir / "finetune.json").string(), config.dump(2));
  const auto r = run_cli("train --config " + shell_arg(dir / "finetune.json") + " --json");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("initialised weights from"));
  // Two Adam steps of 1e-4 move each weight by at most ~2e-4: the run started from the imported weights.
  const LoadedCheckpoint start = load_checkpoint(ckpt.string());
  const LoadedCheckpoint end = load_checkpoint((dir / "run/last.ckpt").string());
  auto trained = end.net->named_parameters();
  double max_change = 0;
  for (const auto& p : start.net->named_parameters())
    max_change = std::max(max_change, (p.value() - trained[p.key()]).abs().max().item<double>());
  CHECK(max_change > 0);
  CHECK(max_change < 1e-3);
}

TEST_CASE("import: imported Prisma-Net and Slim-Net cut the person out of every reference photo like the reference",
          "[cli][import][reference]") {
  const auto ref = reference_dir_or_skip();
  ScratchDir dir("cli_import_cutouts");
  const std::vector<std::tuple<std::string, std::string, int64_t>> models = {
      {"prisma_net", "models/prisma_nchw.onnx", 256}, {"slim_net", "models/slim_reshape.h5", 512}};
  for (const auto& [net, file, size] : models) {
    INFO(net);
    const fs::path ckpt = dir / (net + ".ckpt");
    REQUIRE(run_cli("import --from " + shell_arg(ref / file) + " --net " + net + " --out " +
                    shell_arg(ckpt)).exit_code == 0);
    const fs::path out = dir / (net + "_out");
    const auto r = run_cli("test --model " + shell_arg(ckpt) + " " + shell_arg(ref / "photos") +
                           " --effect cutout --interpolation area --out " + shell_arg(out));
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    for (const auto& [stem, photo] : reference_photos(ref)) {
      INFO(stem);
      const cv::Mat image = cv::imread(photo.string(), cv::IMREAD_COLOR);
      const cv::Mat cutout = cv::imread((out / (stem + "_cutout.png")).string(), cv::IMREAD_UNCHANGED);
      REQUIRE(cutout.type() == CV_8UC4);
      REQUIRE(cutout.size() == image.size());
      // The reference model's own map (onnxruntime / TensorFlow.js), brought to the photo's size.
      const torch::Tensor expected = read_f32(ref / "expected" / net / (stem + ".f32"), size);
      cv::Mat map(static_cast<int>(size), static_cast<int>(size), CV_32F, expected.data_ptr<float>()), at_photo;
      cv::resize(map, at_photo, image.size(), 0, 0, cv::INTER_LINEAR);
      cv::Mat alpha;
      cv::extractChannel(cutout, alpha, 3);
      // The same preprocessing as the reference (INTER_AREA, also when enlarging the small photos).
      const cv::Mat ours = alpha >= 128, theirs = at_photo >= 0.5f;
      const double iou = static_cast<double>(cv::countNonZero(ours & theirs)) / cv::countNonZero(ours | theirs);
      CHECK(iou > 0.97);
      UNSCOPED_INFO(net << " " << stem << " IoU with the reference " << iou);
    }
  }
}

TEST_CASE("cli import: every published model imports, exports verified to TorchScript and ONNX, and runs through "
          "test, video and bench", "[tools][import][reference]") {
  const auto ref = reference_dir_or_skip();
  ScratchDir dir("cli_import_all");
  struct Published {
    std::string file, net, set;
  };
  for (const Published& p : {Published{"prisma_nchw.onnx", "prisma_net", ""}, {"slim_reshape.h5", "slim_net", ""},
                             {"prisma-net.tflite", "prisma_net", ""}, {"prisma-net_fp16.tflite", "prisma_net", ""},
                             {"prisma-net_uint8.tflite", "prisma_net", ""}, {"slim_reshape.tflite", "slim_net", ""},
                             {"bilinear_fin_munet_uint8.tflite", "mobile_unet", "model.decoder=bilinear"},
                             {"mnv3_seg_float.tflite", "mobile_unet_v3", ""}, {"deeplab_nchw.onnx", "deeplab_v3", ""}}) {
    INFO(p.file);
    const fs::path out = dir / p.file;
    fs::create_directories(out);
    const std::string ckpt = (out / "model.ckpt").string();
    const auto run = [&](const std::string& args) {
      const auto r = run_cli(args);
      INFO(args << "\n" << r.out);
      CHECK(r.exit_code == 0);
      return r;
    };
    run("import --quiet --from " + shell_arg(ref / "models" / p.file) + " --net " + p.net +
        (p.set.empty() ? "" : " --set " + p.set) + " --out " + shell_arg(ckpt));
    // The exporter's own verification against the eager net (a failure exits 1 and leaves no file).
    run("export --quiet --model " + shell_arg(ckpt) + " --format all --out " + shell_arg(out));
    REQUIRE(fs::exists(out / "model.pt"));
    REQUIRE(fs::exists(out / "model.onnx"));
    run("test --quiet --model " + shell_arg(out / "model.onnx") + " --effect mask --out " + shell_arg(out / "test") +
        " " +
        shell_arg(ref / "photos" / "two.png"));
    CHECK(fs::exists(out / "test" / "two_mask.png"));
    run("video --quiet --model " + shell_arg(out / "model.pt") + " --max-frames 2 --out " +
        shell_arg(out / "clip.avi") + " " +
        shell_arg(ref / "video" / "test.mp4"));
    CHECK(fs::file_size(out / "clip.avi") > 0);
    run("bench --quiet --model " + shell_arg(ckpt) + " --engine libtorch --runs 1 --warmup 0");
  }
}
