// The TFLite importer on the reference project's published files: float32, float16 and weight-only int8 weights
// against the other importers (the same weights from ONNX and Keras HDF5) and against the outputs independent
// runtimes computed (LiteRT.js, onnxruntime), plus files that are not TFLite or do not fit the net.
#include <catch2/catch.hpp>

#include <cstdio>
#include <flatbuffers/flatbuffers.h>

#include <fstream>
#include <iterator>

#include "core/eval/eval_job.h"
#include "core/import/import_job.h"
#include "core/import/tflite_model.h"
#include "tests/core/import_test_util.h"

using namespace pseg;
using namespace pseg::test;


TEST_CASE("TFLite: Prisma-Net fp32 equals the ONNX import and reproduces LiteRT's outputs", "[import][tflite][reference]") {
  const auto ref = reference_dir_or_skip();
  const std::string file = (ref / "models/prisma-net.tflite").string();
  ImportedNet tflite = import_weights(file, import_config("prisma_net", file, {}));
  CHECK(tflite.format == "tflite");
  CHECK(tflite.stats.layers == 102);
  CHECK(tflite.stats.values == 923057);  // the ONNX file's values; the 11 all-zero depthwise biases are dropped
  const std::string onnx = (ref / "models/prisma_nchw.onnx").string();
  ImportedNet from_onnx = import_weights(onnx, import_config("prisma_net", onnx, {}));
  const auto imported = tflite.net->named_parameters();
  for (const auto& item : from_onnx.net->named_parameters()) {
    INFO(item.key());
    CHECK(torch::equal(item.value(), imported[item.key()]));
  }
  CHECK(worst_difference(ref, *tflite.net, 256, "prisma_tflite", ".f32", from_onnx.net.get()) <= 1e-4);
}

TEST_CASE("TFLite: Prisma-Net with float16 and with int8 weights reproduce their runtimes' outputs",
          "[import][tflite][reference]") {
  const auto ref = reference_dir_or_skip();
  const std::string fp16 = (ref / "models/prisma-net_fp16.tflite").string();
  ImportedNet half = import_weights(fp16, import_config("prisma_net", fp16, {}));
  CHECK(half.stats.values == 923057);
  CHECK(worst_difference(ref, *half.net, 256, "prisma_fp16", ".f32") <= 1e-4);

  // Weight-only int8: dequantised at load, computed in float (.deqf.f32; the plain .f32 quantise activations too).
  const std::string int8 = (ref / "models/prisma-net_uint8.tflite").string();
  ImportedNet quantised = import_weights(int8, import_config("prisma_net", int8, {}));
  CHECK(quantised.stats.values == 923057);
  CHECK(worst_difference(ref, *quantised.net, 256, "prisma_int8", ".deqf.f32") <= 1e-4);
}

TEST_CASE("TFLite: Slim-Net equals the Keras HDF5 import and reproduces LiteRT's outputs", "[import][tflite][reference]") {
  const auto ref = reference_dir_or_skip();
  const std::string file = (ref / "models/slim_reshape.tflite").string();
  ImportedNet tflite = import_weights(file, import_config("slim_net", file, {}));
  const std::string h5 = (ref / "models/slim_reshape.h5").string();
  ImportedNet keras = import_weights(h5, import_config("slim_net", h5, {}));
  CHECK(worst_difference(ref, *tflite.net, 512, "slim_tflite", ".f32", keras.net.get()) <= 1e-4);
}

TEST_CASE("TFLite: the int8 Mobile-Unet (bilinear decoder, BatchNorm folded) reproduces its dequantised outputs",
          "[import][tflite][reference]") {
  const auto ref = reference_dir_or_skip();
  const std::string file = (ref / "models/bilinear_fin_munet_uint8.tflite").string();
  ImportedNet net = import_weights(file, import_config("mobile_unet", file, {"model.decoder=bilinear"}));
  CHECK(net.stats.values == 3620617);  // tflite.md §7: every weight of the file
  CHECK(worst_difference(ref, *net.net, 128, "munet_bilinear_int8", ".deqf.f32") <= 1e-4);
}

TEST_CASE("TFLite: files that are not TFLite or do not fit the net are refused, naming the op", "[import][tflite][errors]") {
  ScratchDir dir("tflite_errors");
  const auto garbage = dir / "garbage.tflite";
  const std::string header("\x1c\0\0\0TFL3 and nothing else", 24);  // a root offset past the end
  write_text(garbage, header);
  CHECK_THAT(import_error(garbage.string(), "prisma_net"), Catch::Contains(garbage.string() + ": corrupt TFLite file"));
  const auto other = dir / "other.tflite";
  write_text(other, "not a flatbuffer at all");
  CHECK_THAT(import_error(other.string(), "prisma_net"), Catch::Contains("not a TFLite model"));

  const char* env = std::getenv("PORTRAITSEG_REFERENCE");
  if (!env || !*env) return;
  const fs::path ref(env);
  const std::string prisma = (ref / "models/prisma-net.tflite").string();
  CHECK_THAT(import_error(prisma, "slim_net"), Catch::Contains("CONV_2D op 1"));
  const auto truncated = dir / "truncated.tflite";
  fs::copy_file(prisma, truncated);
  fs::resize_file(truncated, fs::file_size(truncated) / 2);
  CHECK_THAT(import_error(truncated.string(), "prisma_net"), Catch::Contains("corrupt TFLite file"));
}

TEST_CASE("TFLite: imported checkpoints score the published mIOU on the reference VOC and AISegment sets, fp16 and "
          "int8 weights within 0.01 of fp32",
          "[import][tflite][reference][eval]") {
  const auto ref = reference_dir_or_skip();
  ScratchDir dir("tflite_eval");
  const auto scores = [&](const std::string& file, const std::string& net, const std::vector<std::string>& overrides) {
    return reference_set_scores(ref, dir.path(), file, net, overrides);
  };
  // Published figures (reference/README.md): AISegment 0.965 / 0.954, VOC 0.622 / 0.712.
  const std::vector<double> fp32 = scores("prisma-net.tflite", "prisma_net", {});
  check_scores(fp32, {0.965, 0.954, 0.622, 0.712}, 0.001);
  check_scores(scores("prisma-net_fp16.tflite", "prisma_net", {}), fp32, 0.01);
  check_scores(scores("prisma-net_uint8.tflite", "prisma_net", {}), fp32, 0.01);
  check_scores(scores("slim_reshape.tflite", "slim_net", {}), {0.945, 0.930, 0.452, 0.387}, 0.002);
  // Published for the int8 runtime (activations quantised too); the dequantised float compute lands within 0.01.
  check_scores(scores("bilinear_fin_munet_uint8.tflite", "mobile_unet", {"model.decoder=bilinear"}),
       {0.961, 0.950, 0.442, 0.579}, 0.01);
  // MNV3 Mobile-Unet: 0.9706 per-image on AISegment, 0.527 on VOC (nets_more.md §3; reference/README.md).
  check_scores(scores("mnv3_seg_float.tflite", "mobile_unet_v3", {}), {0.971, 0.965, 0.527, 0.668}, 0.002);
}

TEST_CASE("TFLite: the MobileNetV3 Mobile-Unet (BatchNorm folded) reproduces LiteRT's outputs",
          "[import][tflite][reference]") {
  const auto ref = reference_dir_or_skip();
  const std::string file = (ref / "models/mnv3_seg_float.tflite").string();
  ImportedNet net = import_weights(file, import_config("mobile_unet_v3", file, {}));
  CHECK(net.stats.layers == 55);
  CHECK(net.stats.values == 940122);  // nets_more.md §2.7: every weight and folded bias of the file
  CHECK(worst_difference(ref, *net.net, 256, "mnv3_seg", ".f32", nullptr, /*symmetric=*/true) <= 1e-4);
}

TEST_CASE("TFLite: an op the importer does not know is refused, naming it", "[import][tflite][errors][reference]") {
  const auto ref = reference_dir_or_skip();
  ScratchDir dir("tflite_unknown_op");
  // prisma-net.tflite with its CONV_2D operator code rewritten to FULLY_CONNECTED (9), in a copy.
  std::ifstream in(ref / "models/prisma-net.tflite", std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto* model = flatbuffers::GetRoot<flatbuffers::Table>(bytes.data());
  const auto* codes = model->GetPointer<const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::Table>>*>(6);
  bool patched = false;
  for (const flatbuffers::Table* code : *codes) {
    if (code->GetField<int8_t>(4, 0) != 3) continue;
    auto* field = const_cast<uint8_t*>(reinterpret_cast<const uint8_t*>(code) + code->GetOptionalFieldOffset(4));
    *field = 9;
    patched = true;
  }
  REQUIRE(patched);
  const auto file = dir / "fully_connected.tflite";
  std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
  CHECK_THAT(import_error(file.string(), "prisma_net"),
             Catch::Contains(file.string() + ": FULLY_CONNECTED op ") && Catch::Contains("is not supported"));
}

TEST_CASE("TFLite: a tensor shape whose element count overflows is refused as not fitting its data",
          "[import][tflite][errors]") {
  // Found by tests/fuzz/fuzz_import_tflite.cpp: the seed model with large dimensions overflowed the element count
  // (signed overflow, undefined behaviour). The seed itself parses and maps its one convolution.
  const std::string found = source_path("tests/fuzz/corpus/import_tflite/regression-shape-overflow");
  CHECK_THROWS_WITH(read_tflite(found), Catch::Contains(found) && Catch::Contains("bytes for its shape and type"));
  const TfliteModel seed = read_tflite(source_path("tests/fuzz/corpus/import_tflite/conv.tflite"));
  REQUIRE(seed.tensors.size() == 4);
  CHECK(seed.tensors[1].shape == std::vector<int64_t>{8, 3, 3, 3});
  CHECK(seed.tensors[1].data.size() == 8 * 27 * 4);
}
