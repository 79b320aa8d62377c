// ONNX import: the reference Prisma-Net reproduces the stored onnxruntime outputs on every photo and matches
// onnxruntime on the VOC and AISegment images; our own exports (BN folded or kept, PRelu) import back to the same
// net; files that do not fit the net are refused with the node and module named.
#include <cstdio>

#include "core/export/export_onnx.h"
#include "core/import/import_job.h"
#include "core/model_io/model_meta.h"
#include "tests/core/export_test_util.h"
#include "tests/core/import_test_util.h"
#include "nets/sync_batch_norm.h"

using namespace pseg;
using namespace pseg::test;

namespace {

void export_file(SegNetImpl& net, const std::string& path, bool fold_bn) {
  OnnxExportOptions o;
  o.fold_bn = fold_bn;
  export_onnx(net, random_input(net), meta_for(net, ExportHead::Probability, 0.5f), o, path);
}

// A net at `size` with random weights and, where it has BN, non-trivial statistics.
SegNet random_net(const std::string& config_name, int64_t size, uint64_t seed) {
  SegNet net = seeded_net(config_name, size, size, seed);
  randomize_bn(*net);
  torch::NoGradGuard no_grad;
  for (auto& p : net->named_parameters())
    if (p.value().dim() == 1 && p.key().find("bias") != std::string::npos) p.value().normal_(0, 0.1);
  return net;
}

SegNet imported_net(const std::string& file, const std::string& net, int64_t size,
                    const std::vector<std::string>& sets = {}) {
  std::vector<std::string> all = sets;
  all.push_back("model.input_size=[" + std::to_string(size) + "," + std::to_string(size) + "]");
  return import_weights(file, import_config(net, file, all)).net;
}

}  // namespace

TEST_CASE("ONNX: our exports import back — BN folded or kept, PRelu", "[import][onnx]") {
  ScratchDir dir("import_onnx_roundtrip");
  const torch::Tensor x = torch::rand({2, 3, 64, 64});
  SECTION("Mobile-Unet, BatchNorm kept: every tensor back exactly") {
    SegNet src = random_net("mobile_unet_deconv", 64, 1);
    const std::string file = (dir / "munet_bn.onnx").string();
    export_file(*src, file, /*fold_bn=*/false);
    SegNet back = imported_net(file, "mobile_unet", 64);
    auto pb = back->named_parameters();
    for (const auto& p : src->named_parameters()) {
      INFO(p.key());
      CHECK(torch::equal(p.value(), pb[p.key()]));
    }
    CHECK(torch::equal(probability(*src, x), probability(*back, x)));
  }
  SECTION("Mobile-Unet, BatchNorm folded into the convolutions: identity BN carries the folded bias") {
    SegNet src = random_net("mobile_unet_bilinear", 64, 2);
    const std::string file = (dir / "munet_folded.onnx").string();
    export_file(*src, file, /*fold_bn=*/true);
    SegNet back = imported_net(file, "mobile_unet", 64, {"model.decoder=bilinear"});
    const double diff = (probability(*src, x) - probability(*back, x)).abs().max().item<double>();
    std::printf("mobile_unet folded-BN ONNX round trip: max|dp| = %.3g\n", diff);
    CHECK(diff <= 1e-5);
    // The identity is exact: an imported BN only adds the folded bias.
    auto* bn = back->named_modules()["bn_Conv1"]->as<SyncBatchNorm2d>();
    const torch::Tensor y = torch::randn({1, 16, 4, 4});
    torch::NoGradGuard no_grad;
    CHECK(torch::equal(bn->forward(y), y + bn->bias.view({1, -1, 1, 1})));
  }
  SECTION("Slim-Net (PRelu slopes [C,1,1], separable, dilated, transposed convs)") {
    SegNet src = random_net("slim_net", 64, 3);
    const std::string file = (dir / "slim.onnx").string();
    export_file(*src, file, true);
    SegNet back = imported_net(file, "slim_net", 64);
    auto pb = back->named_parameters();
    for (const auto& p : src->named_parameters()) {
      INFO(p.key());
      CHECK(torch::equal(p.value(), pb[p.key()]));
    }
  }
}

TEST_CASE("ONNX: files that do not fit the net are refused, naming node and module", "[import][onnx][errors]") {
  ScratchDir dir("import_onnx_errors");
  SegNet munet = random_net("mobile_unet_deconv", 64, 4);
  const std::string file = (dir / "munet.onnx").string();
  export_file(*munet, file, true);
  CHECK_THAT(import_error(file, "prisma_net"),
             Catch::Contains("Conv node") && Catch::Contains("(e0") && Catch::Contains("in the file"));
  CHECK_THAT(import_error(file, "mobile_unet", {"model.decoder=bilinear"}),
             Catch::Contains("ConvTranspose node") && Catch::Contains("d1.conv"));
  SegNet slim = random_net("slim_net", 64, 5);
  const std::string slim_file = (dir / "slim.onnx").string();
  export_file(*slim, slim_file, true);
  CHECK_THAT(import_error(slim_file, "portrait_net"), Catch::Contains("Conv node"));

  const auto garbage = dir / "garbage.onnx";
  write_text(garbage, "\x08\x07garbage that is not protobuf \xff\xff\xff");
  CHECK_THAT(import_error(garbage.string(), "prisma_net"), Catch::Contains(garbage.string()));
  const auto truncated = dir / "truncated.onnx";
  fs::copy_file(file, truncated);
  fs::resize_file(truncated, fs::file_size(truncated) / 3);
  CHECK_THAT(import_error(truncated.string(), "mobile_unet"), Catch::Contains("not an ONNX model"));
}

TEST_CASE("ONNX: the reference Prisma-Net reproduces the stored onnxruntime outputs on every photo", "[import][onnx][reference]") {
  const auto ref = reference_dir_or_skip();
  const std::string file = (ref / "models/prisma_nchw.onnx").string();
  ImportedNet imported = import_weights(file, import_config("prisma_net", file, {}));
  CHECK(imported.stats.layers == 102);      // nets.md §3.3: 102 convolutions
  CHECK(imported.stats.values == 923057);   // every initializer value
  for (const auto& [stem, photo] : reference_photos(ref)) {
    INFO(stem);
    const torch::Tensor p = probability(*imported.net, reference_input(photo, 256))[0];
    const double diff = (p - read_f32(ref / "expected/prisma_net" / (stem + ".f32"), 256)).abs().max().item<double>();
    std::printf("prisma_net %-6s max|p - expected| = %.3g\n", stem.c_str(), diff);
    CHECK(diff <= 1e-4);
  }
}

TEST_CASE("ONNX: imported Prisma-Net matches the reference file in onnxruntime on VOC and AISegment images",
          "[import][onnx][reference][onnxruntime]") {
  const auto ref = reference_dir_or_skip();
  ScratchDir dir("import_onnx_ort");
  const std::string file = (ref / "models/prisma_nchw.onnx").string();
  SegNet net = import_weights(file, import_config("prisma_net", file, {})).net;
  const auto images = dataset_images(ref);
  REQUIRE(images.size() == 16);
  std::vector<torch::Tensor> xs;
  for (const auto& img : images) xs.push_back(reference_input(img, 256));
  const torch::Tensor x = torch::cat(xs);
  const torch::Tensor ours = probability(*net, x);
  write_raw((dir / "input.raw").string(), x);
  write_raw((dir / "ours.raw").string(), ours);
  const nlohmann::json manifest = {
      {"model", file},
      {"input", {{"file", (dir / "input.raw").string()}, {"shape", x.sizes().vec()}, {"name", "input_3"}}},
      {"output", "permute_2"},
      {"reference", {{"file", (dir / "ours.raw").string()}, {"shape", {x.size(0), 1, 256, 256}}}},
      {"tolerance", 1e-4},
      {"output_file", (dir / "ort.raw").string()}};
  write_text((dir / "manifest.json").string(), manifest.dump());
  const auto check = run_shell("node \"" + source_path("tests/node/run_onnx.js") + "\" \"" +
                               (dir / "manifest.json").string() + "\"");
  skip_if_checker_unavailable(check, "node with onnxruntime-node");
  INFO(check.out);
  CHECK(check.exit_code == 0);
  std::ifstream in(dir / "ort.raw", std::ios::binary);
  torch::Tensor ort = torch::empty_like(ours);
  in.read(static_cast<char*>(ort.data_ptr()), static_cast<std::streamsize>(ort.nbytes()));
  REQUIRE(in.gcount() == static_cast<std::streamsize>(ort.nbytes()));
  for (size_t i = 0; i < images.size(); ++i) {
    const double diff = (ours[i] - ort[i]).abs().max().item<double>();
    std::printf("prisma_net vs onnxruntime %-28s max|dp| = %.3g\n", images[i].filename().c_str(), diff);
    CHECK(diff <= 1e-4);
  }
}

TEST_CASE("ONNX: the reference DeepLabV3 reproduces onnxruntime's outputs in both final upsampling modes",
          "[import][onnx][reference]") {
  const auto ref = reference_dir_or_skip();
  const std::string file = (ref / "models/deeplab_nchw.onnx").string();
  // Align-corners (the default, as TF trained it): the file's graph with its resizes rewritten (.ac.f32).
  ImportedNet ac = import_weights(file, import_config("deeplab_v3", file, {}));
  CHECK(ac.stats.layers == 55 + 54);  // convolutions and BatchNorms
  CHECK(worst_difference(ref, *ac.net, 513, "deeplab", ".ac.f32", nullptr, /*symmetric=*/true) <= 1e-4);
  // Asymmetric: the file as onnxruntime runs it (.f32).
  ImportedNet asym = import_weights(file, import_config("deeplab_v3", file, {"model.upsample=asymmetric"}));
  CHECK(worst_difference(ref, *asym.net, 513, "deeplab", ".f32", nullptr, /*symmetric=*/true) <= 1e-4);

  ScratchDir dir("deeplab_eval");
  // AISegment / VOC per-image and confusion mIOU (reference/README.md): 0.967, 0.958; 0.653, 0.768.
  check_scores(reference_set_scores(ref, dir.path(), "deeplab_nchw.onnx", "deeplab_v3", {}),
               {0.967, 0.958, 0.653, 0.768}, 0.002);
}
