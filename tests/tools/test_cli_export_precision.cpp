// portraitseg export --precision fp16|int8: what the files hold (float16 or int8 initializers, QDQ pairs, float32
// at the edges, metadata), that onnxruntime runs them like portraitseg's own simulation, the errors that leave
// nothing behind, and (with the reference files) the imported Prisma-Net and Slim-Net keeping their accuracy.
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/export/export_head.h"
#include "core/model_io/model_meta.h"
#include "core/onnx_exec/onnx_executor.h"
#include "tests/core/export_test_util.h"

using namespace pseg;
using namespace pseg::test;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// One intra-op thread: ctest runs two tests at once on two cores, and the op-by-op onnx-torch engine suffers most
// from oversubscribed OpenMP threads.
CommandResult cli(const std::string& args) { return run_cli(args + " --threads 1"); }

std::map<int32_t, int64_t> initializer_types(const onnx::ModelProto& m) {
  std::map<int32_t, int64_t> count;
  for (const auto& init : m.graph().initializer()) ++count[init.data_type()];
  return count;
}

int64_t count_ops(const onnx::ModelProto& m, const std::string& op) {
  int64_t n = 0;
  for (const auto& node : m.graph().node()) n += node.op_type() == op;
  return n;
}

// A small synthetic set: the calibration images of the tests without reference files.
fs::path synth_set(const ScratchDir& dir) {
  const fs::path data = dir / "synth";
  REQUIRE(cli("synth --out " + shell_arg(data) + " --count 8 --size 96 --quiet").exit_code == 0);
  return data;
}

std::string folders_spec(const fs::path& data) {
  return "folders:" + (data / "images").string() + "," + (data / "masks").string();
}

// The mIOUs of `eval --model M --data D`.
std::pair<double, double> eval_miou(const fs::path& model, const std::string& data, const fs::path& json_out) {
  const auto r = cli("eval --model " + shell_arg(model) + " --data " + shell_arg(data) + " --json " +
                     shell_arg(json_out));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const json j = read_json(json_out);
  return {j["miou_per_image"].get<double>(), j["miou_confusion"].get<double>()};
}

}  // namespace

TEST_CASE("export --precision fp16: float16 weights and compute, float32 at the edges", "[cli][export][precision]") {
  ScratchDir dir("export_fp16");
  const auto r32 = cli("export --config " + shell_arg(config_path("slim_net")) + " --size 64x64 --format onnx --out " +
                           shell_arg(dir / "slim_net.onnx"));
  REQUIRE(r32.exit_code == 0);
  const auto r = cli("export --config " + shell_arg(config_path("slim_net")) + " --size 64x64 --precision fp16 --out " +
                         shell_arg(dir.path()));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("compared with the fp32 eager model in the LibTorch ONNX executor") != std::string::npos);
  CHECK(!fs::exists(dir / "slim_net.fp16.pt"));  // ONNX only
  const fs::path path = dir / "slim_net.fp16.onnx";
  const onnx::ModelProto m = read_onnx_model(path.string());
  CHECK(m.graph().input(0).type().tensor_type().elem_type() == onnx::TensorProto::FLOAT);
  CHECK(m.graph().output(0).type().tensor_type().elem_type() == onnx::TensorProto::FLOAT);
  const auto types = initializer_types(m);
  CHECK(types.at(onnx::TensorProto::FLOAT16) > 50);
  CHECK(types.count(onnx::TensorProto::FLOAT) == 1);  // the Resize scales alone stay float32
  const double ratio = double(fs::file_size(path)) / double(fs::file_size(dir / "slim_net.onnx"));
  CHECK(ratio < 0.55);
  CHECK(ratio > 0.45);
  const ModelMeta meta = read_onnx_meta(path.string());
  CHECK(meta.precision == "fp16");
  CHECK(meta.quantization["compute"] == "float16");
  CHECK(meta.quantization["float32_nodes"] == 0);
  CHECK(read_json(dir / "slim_net.fp16.json")["precision"] == "fp16");
}

TEST_CASE("export --precision int8: calibrated QDQ and weights-only files", "[cli][export][precision]") {
  ScratchDir dir("export_int8");
  const fs::path data = synth_set(dir);
  const std::string base = "export --config " + shell_arg(config_path("prisma_net")) + " --size 64x64 ";
  REQUIRE(cli(base + "--format onnx --out " + shell_arg(dir / "fp32.onnx")).exit_code == 0);
  const auto r = cli(base + "--precision int8 --calibration " + shell_arg(folders_spec(data)) +
                         " --calibration-images 4 --calibration-method percentile --percentile 99.9 --out " +
                         shell_arg(dir / "qdq.onnx"));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const onnx::ModelProto m = read_onnx_model((dir / "qdq.onnx").string());
  const int64_t convs = count_ops(m, "Conv") + count_ops(m, "ConvTranspose");
  const auto types = initializer_types(m);
  CHECK(types.at(onnx::TensorProto::INT8) == 2 * convs);  // each weight and its zero points
  CHECK(types.at(onnx::TensorProto::INT32) > 0);           // biases
  CHECK(count_ops(m, "QuantizeLinear") > convs);            // inputs and outputs of every convolution
  CHECK(count_ops(m, "DequantizeLinear") > 2 * convs);
  const ModelMeta meta = read_onnx_meta((dir / "qdq.onnx").string());
  CHECK(meta.precision == "int8");
  CHECK(meta.quantization["scheme"] == "qdq");
  CHECK(meta.quantization["calibration"]["images"] == 4);
  CHECK(meta.quantization["calibration"]["method"] == "percentile");
  CHECK(meta.quantization["calibration"]["percentile"] == Approx(99.9));
  CHECK(meta.quantization["weights"]["per_channel"] == true);
  CHECK(double(fs::file_size(dir / "qdq.onnx")) / double(fs::file_size(dir / "fp32.onnx")) < 0.35);

  const auto w = cli(base + "--precision int8 --int8-scheme weights-only --no-per-channel --out " +
                         shell_arg(dir / "weights.onnx"));
  INFO(w.out);
  REQUIRE(w.exit_code == 0);
  const onnx::ModelProto mw = read_onnx_model((dir / "weights.onnx").string());
  CHECK(count_ops(mw, "QuantizeLinear") == 0);
  CHECK(count_ops(mw, "DequantizeLinear") == convs);
  CHECK(read_onnx_meta((dir / "weights.onnx").string()).quantization["weights"]["per_channel"] == false);
  CHECK(double(fs::file_size(dir / "weights.onnx")) / double(fs::file_size(dir / "fp32.onnx")) < 0.3);

  // eval opens the reduced files with the LibTorch ONNX engine; OpenCV DNN 4.6 is refused by name.
  for (const char* file : {"qdq.onnx", "weights.onnx"}) {
    const auto e = cli("eval --model " + shell_arg(dir / file) + " --data " + shell_arg(folders_spec(data)) +
                       " --json " + shell_arg(dir / "e.json"));
    INFO(e.out);
    CHECK(e.exit_code == 0);
    CHECK(read_json(dir / "e.json")["model"]["engine"] == "onnx-torch");
  }
  const auto cv = cli("bench --model " + shell_arg(dir / "qdq.onnx") + " --engine opencv --runs 1");
  CHECK(cv.exit_code == 2);
  CHECK(cv.out.find("engine opencv cannot run int8 models") != std::string::npos);
}

TEST_CASE("export --precision: bad combinations and bad calibration data write nothing", "[cli][export][precision]") {
  ScratchDir dir("export_precision_errors");
  const fs::path data = synth_set(dir);
  const fs::path out = dir / "out";
  fs::create_directories(out);
  fs::create_directories(dir / "empty" / "images");
  fs::create_directories(dir / "empty" / "masks");
  const std::string base =
      "export --config " + shell_arg(config_path("portrait_net")) + " --size 64x64 --out " + shell_arg(out) + " ";
  struct Case {
    std::string args, message;
    int exit_code;
  };
  const std::string calibration = " --calibration " + shell_arg(folders_spec(data));
  for (const Case& c : {
           Case{"--precision fp8", "precision: expected \"fp32\", \"fp16\" or \"int8\", got \"fp8\"", 2},
           Case{"--precision fp16 --format torchscript", "TorchScript export is fp32 only", 2},
           Case{"--precision int8", "--calibration DATA_SPEC is required", 2},
           Case{"--precision int8 --int8-scheme dynamic", "int8-scheme: expected \"qdq\" or \"weights-only\"", 2},
           Case{"--precision int8 --opset 11" + calibration, "per-channel weight scales need opset 13", 2},
           Case{"--precision int8 --calibration-images 0" + calibration, "calibration-images: expected at least 1", 2},
           Case{"--precision int8 --calibration " + shell_arg(folders_spec(dir / "empty")), "empty", 1},
           Case{"--precision int8 --calibration " + shell_arg(folders_spec(dir / "missing")), "missing", 1},
           Case{"--precision int8 --keep-bn" + calibration, "BatchNorm cannot be quantised", 2},
       }) {
    INFO(c.args);
    const auto r = cli(base + c.args);
    INFO(r.out);
    CHECK(r.exit_code == c.exit_code);
    CHECK(r.out.find(c.message) != std::string::npos);
    REQUIRE(fs::is_directory(out));
    CHECK(file_count(out) == 0);
  }
}

TEST_CASE("export --precision int8: onnxruntime runs the file like portraitseg's fake-quantised simulation",
          "[cli][export][precision][onnxruntime]") {
  ScratchDir dir("export_int8_ort");
  const fs::path data = synth_set(dir);
  for (const std::string net : {"prisma_net", "slim_net"}) {
    INFO(net);
    const fs::path model = dir / (net + ".int8.onnx");
    const auto r = cli("export --config " + shell_arg(config_path(net)) +
                       " --size 64x64 --head logits --precision int8 " +
                       "--calibration " + shell_arg(folders_spec(data)) + " --out " + shell_arg(model));
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const ModelMeta meta = read_onnx_meta(model.string());
    torch::manual_seed(3);
    const torch::Tensor x = torch::rand({1, 3, 64, 64}) * 2 - 1;  // every normalisation's range covered
    const torch::Tensor sim = OnnxExecutor(read_onnx_model(model.string())).run(x);
    write_raw((dir / "input.raw").string(), x);
    const json manifest = {{"model", model.string()},
                           {"input", {{"file", (dir / "input.raw").string()}, {"shape", x.sizes().vec()}}},
                           {"output_file", (dir / "ort.raw").string()}};
    write_text((dir / "manifest.json").string(), manifest.dump());
    const auto check = run_shell("node " + shell_arg(source_path("tests/node/run_onnx.js")) + " " +
                                 shell_arg(dir / "manifest.json"));
    skip_if_checker_unavailable(check, "node with onnxruntime-node");
    INFO(check.out);
    REQUIRE(check.exit_code == 0);
    std::ifstream in(dir / "ort.raw", std::ios::binary);
    torch::Tensor ort = torch::empty_like(sim);
    in.read(static_cast<char*>(ort.data_ptr()), static_cast<std::streamsize>(ort.nbytes()));
    REQUIRE(in);
    // The logits are the last convolution's float output from quantised inputs: one quantisation step of the
    // activation before it bounds a rounding difference there.
    const double step = meta.quantization["activations"]["last_step"].get<double>();
    const double diff = (ort - sim).abs().max().item<double>();
    // The same weights in fp32 (export --config seeds 0): quantisation must show, and the simulation be closer.
    SegNet fp32 = seeded_net(net, 64, 64);
    torch::NoGradGuard no_grad;
    const double quantisation = (ort - inference_forward(*fp32, x, ExportHead::Logits, 0.5f)).abs().max().item<double>();
    INFO("max |onnxruntime - simulation| " << diff << ", last activation step " << step
                                            << ", max |onnxruntime - fp32| " << quantisation);
    CHECK(diff <= step);
    CHECK(quantisation > 10 * std::max(diff, 1e-6));
  }
}

TEST_CASE("export --precision: the reference Prisma-Net and Slim-Net keep their accuracy in fp16 and int8",
          "[cli][export][precision][reference]") {
  const fs::path ref = reference_dir_or_skip();
  ScratchDir dir("export_precision_reference");
  const std::string voc = "voc:" + (ref / "datasets" / "VOCdevkit" / "person").string();
  const std::string aiseg = "aisegment:" + (ref / "datasets" / "ai_segment").string();
  struct Net {
    std::string name, from;
  };
  for (const Net& net : {Net{"prisma_net", "prisma_nchw.onnx"}, Net{"slim_net", "slim_reshape.h5"}}) {
    INFO(net.name);
    const fs::path ckpt = dir / (net.name + ".ckpt");
    REQUIRE(cli("import --from " + shell_arg(ref / "models" / net.from) + " --net " + net.name + " --out " +
                shell_arg(ckpt))
                .exit_code == 0);
    const std::string base =
        "export --model " + shell_arg(ckpt) + " --format onnx --out " + shell_arg(dir.path()) + " ";
    REQUIRE(cli(base).exit_code == 0);
    // Calibrated on the VOC set; AISegment is then unseen by the calibration.
    REQUIRE(cli(base + "--precision fp16 --calibration " + shell_arg(voc)).exit_code == 0);
    REQUIRE(cli(base + "--precision int8 --calibration " + shell_arg(voc)).exit_code == 0);
    const fs::path fp32 = dir / (net.name + ".onnx"), fp16 = dir / (net.name + ".fp16.onnx"),
                   int8 = dir / (net.name + ".int8.onnx");
    CHECK(double(fs::file_size(fp16)) / double(fs::file_size(fp32)) < 0.52);
    // Slim-Net's 123 small convolutions carry more per-channel scales and graph overhead (docs/export.md §8).
    CHECK(double(fs::file_size(int8)) / double(fs::file_size(fp32)) < (net.name == "slim_net" ? 0.4 : 0.32));
    for (const std::string& data : {voc, aiseg}) {
      INFO(data);
      const auto base_miou = eval_miou(fp32, data, dir / "e.json");
      for (const fs::path& reduced : {fp16, int8}) {
        INFO(reduced.filename().string());
        const auto miou = eval_miou(reduced, data, dir / "e.json");
        CHECK(std::abs(miou.first - base_miou.first) <= 0.01);
        CHECK(std::abs(miou.second - base_miou.second) <= 0.01);
      }
    }
  }
}
