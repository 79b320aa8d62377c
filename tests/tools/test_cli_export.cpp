// portraitseg export end to end: the six configs at their native sizes in both formats, checked in OpenCV DNN and
// C++ TorchScript by the command itself and in onnxruntime (node) and Python torch.jit.load by the checkers here;
// heads, checkpoints, and bad input leaving no file behind.
#include <torch/script.h>

#include <filesystem>
#include <fstream>

#include "tests/core/export_test_util.h"
#include "core/model_io/checkpoint.h"
#include "core/export/export_head.h"
#include "core/model_io/model_meta.h"

using namespace pseg;
using namespace pseg::test;
namespace fs = std::filesystem;

namespace {

torch::Tensor eager_probability(SegNetImpl& net, const torch::Tensor& x) {
  return traced_ops_forward(net, x, ExportHead::Probability);
}

}  // namespace

TEST_CASE("export --format all: six configs at native size, verified in OpenCV and TorchScript", "[cli][export]") {
  ScratchDir dir("cli_export_all");
  for (const auto& name : six_configs()) {
    INFO(name);
    const auto r = run_cli("export --config " + shell_arg(config_path(name)) + " --format all --out " + shell_arg(dir.path()));
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("verified with OpenCV DNN") != std::string::npos);
    CHECK(r.out.find("verified with torch::jit::load") != std::string::npos);
    const ModelMeta onnx_meta = read_onnx_meta((dir / (name + ".onnx")).string());
    const ModelMeta ts_meta = read_torchscript_meta((dir / (name + ".pt")).string());
    const ModelMeta json_meta = meta_from_json(read_json(dir / (name + ".json")), name);
    SegNet net = seeded_net(name);
    for (const ModelMeta* m : {&onnx_meta, &ts_meta, &json_meta}) {
      CHECK(m->net == net->config().net);
      CHECK(m->height == net->input_spec().height);
      CHECK(m->channels == net->input_spec().channels);
      CHECK(m->prior_channel == net->input_spec().prior_channel);
      CHECK(m->output == ExportHead::Probability);
    }
    CHECK(onnx_meta.format == "onnx");
    CHECK(ts_meta.format == "torchscript");
  }
}

TEST_CASE("export: ONNX of six configs matches eager in onnxruntime (node)", "[cli][export][onnxruntime]") {
  ScratchDir dir("cli_export_ort");
  for (const auto& name : six_configs()) {
    INFO(name);
    const fs::path model = dir / (name + ".onnx");
    const auto r = run_cli("export --config " + shell_arg(config_path(name)) + " --format onnx --no-verify --out " +
                           shell_arg(model));
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    SegNet net = seeded_net(name);
    const torch::Tensor x = random_input(*net);
    const torch::Tensor ref = eager_probability(*net, x);
    write_raw((dir / "input.raw").string(), x);
    write_raw((dir / "reference.raw").string(), ref);
    const nlohmann::json manifest = {
        {"model", model.string()},
        {"input", {{"file", (dir / "input.raw").string()}, {"shape", x.sizes().vec()}}},
        {"reference", {{"file", (dir / "reference.raw").string()}, {"shape", ref.sizes().vec()}}},
        {"tolerance", 1e-4}};
    write_text((dir / "manifest.json").string(), manifest.dump());
    const auto check = run_shell("node " + shell_arg(source_path("tests/node/run_onnx.js")) + " " +
                                 shell_arg(dir / "manifest.json"));
    skip_if_checker_unavailable(check, "node with onnxruntime-node");
    INFO(check.out);
    CHECK(check.exit_code == 0);
    CHECK(check.out.find("max_abs_diff") != std::string::npos);
  }
}

TEST_CASE("export: TorchScript of six configs matches eager in Python torch.jit.load", "[cli][export][python]") {
  ScratchDir dir("cli_export_py");
  for (const auto& name : six_configs()) {
    INFO(name);
    const fs::path model = dir / (name + ".pt");
    const auto r = run_cli("export --config " + shell_arg(config_path(name)) + " --format torchscript --no-verify --out " +
                           shell_arg(model));
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    SegNet net = seeded_net(name);
    const auto& spec = net->input_spec();
    c10::Dict<std::string, at::Tensor> vectors;
    const torch::Tensor x = random_input(*net);
    vectors.insert("input", x);
    vectors.insert("reference", eager_probability(*net, x));
    // A second input size (one size step larger), as the traced module must accept it.
    const torch::Tensor x2 = random_input(*net, 1, spec.height + spec.size_multiple, spec.width);
    vectors.insert("input2", x2);
    vectors.insert("reference2", eager_probability(*net, x2));
    const std::vector<char> bytes = torch::pickle_save(vectors);
    std::ofstream(dir / "vectors.pt", std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    const auto check = run_shell("/usr/bin/python3 " + shell_arg(source_path("tests/python/check_torchscript.py")) + " " +
                                 shell_arg(model) + " " + shell_arg(dir / "vectors.pt") + " 1e-5");
    skip_if_checker_unavailable(check, "/usr/bin/python3 with torch");
    INFO(check.out);
    CHECK(check.exit_code == 0);
    CHECK(check.out.find("input2") != std::string::npos);
  }
}

TEST_CASE("export --head mask gives exactly the thresholded eager probability", "[cli][export]") {
  ScratchDir dir("cli_export_mask");
  const auto r = run_cli("export --config " + shell_arg(config_path("mobile_unet_bilinear")) +
                         " --format all --head mask --threshold 0.4 --size 64x64 --out " + shell_arg(dir.path()));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  SegNet net = seeded_net("mobile_unet_bilinear", 64, 64);
  torch::jit::Module m = torch::jit::load((dir / "mobile_unet_bilinear.pt").string());
  torch::NoGradGuard no_grad;
  const torch::Tensor x = random_input(*net, 2);
  const torch::Tensor expected = (eager_probability(*net, x) > 0.4).to(torch::kUInt8) * 255;
  CHECK(torch::equal(m.forward({x}).toTensor(), expected));
  const ModelMeta meta = read_onnx_meta((dir / "mobile_unet_bilinear.onnx").string());
  CHECK(meta.output == ExportHead::Mask);
  CHECK(meta.threshold == Approx(0.4f));
}

TEST_CASE("export --model exports a checkpoint, also at another size", "[cli][export]") {
  ScratchDir dir("cli_export_ckpt");
  Config config = parse_config({{"model", {{"net", "prisma_net"}, {"input_size", {64, 64}}}}}, "test");
  torch::manual_seed(7);
  SegNet net = create_net(config.model);
  const std::string ckpt = (dir / "prisma.ckpt").string();
  save_checkpoint(ckpt, config, *net, TrainingState{}, nullptr);
  net->eval();

  const auto r = run_cli("export --model " + shell_arg(ckpt) + " --format all --size 96x96 --out " + shell_arg(dir / "out"));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  torch::jit::Module m = torch::jit::load((dir / "out" / "prisma.pt").string());
  const torch::Tensor x = random_input(*net, 1, 96, 96);
  torch::NoGradGuard no_grad;
  CHECK(torch::equal(m.forward({x}).toTensor(), eager_probability(*net, x)));
  CHECK(read_onnx_meta((dir / "out" / "prisma.onnx").string()).height == 96);

  // The recorded hash fingerprints the config as exported: with the size applied, not the checkpoint's own.
  nlohmann::json sized = config.resolved;
  apply_override(sized, input_size_override(96, 96));
  CHECK(read_onnx_meta((dir / "out" / "prisma.onnx").string()).config_hash == config_hash(sized));
  CHECK(config_hash(sized) != config_hash(config.resolved));
}

TEST_CASE("export: bad input fails clearly and leaves no file", "[cli][export]") {
  ScratchDir dir("cli_export_bad");
  const std::string cfg = shell_arg(config_path("prisma_net"));

  auto r = run_cli("export --config " + cfg + " --format tflite --out " + shell_arg(dir / "a"));
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("format: expected \"torchscript\", \"onnx\" or \"all\", got \"tflite\"") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "a"));

  write_text((dir / "file").string(), "x");
  r = run_cli("export --config " + cfg + " --size 64x64 --out " + shell_arg(dir / "file" / "sub"));
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("cannot create the output directory") != std::string::npos);

  r = run_cli("export --config " + cfg + " --size 64x64 --opset 12 --out " + shell_arg(dir / "b"));
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("opset: expected 11 or 13") != std::string::npos);

  r = run_cli("export --config " + cfg + " --size 60x64 --out " + shell_arg(dir / "c"));
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("model.input_size") != std::string::npos);

  Config config = parse_config({{"model", {{"net", "prisma_net"}, {"input_size", {64, 64}}}}}, "test");
  SegNet net = create_net(config.model);
  config.resolved["model"]["net"] = "hyper_net";
  const std::string ckpt = (dir / "unknown.ckpt").string();
  save_checkpoint(ckpt, config, *net, TrainingState{}, nullptr);
  r = run_cli("export --model " + shell_arg(ckpt) + " --out " + shell_arg(dir / "d"));
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("unknown net \"hyper_net\"") != std::string::npos);

  r = run_cli("export --model " + cfg + " --out " + shell_arg(dir / "e"));
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("checkpoint") != std::string::npos);

  for (const char* sub : {"a", "b", "c", "d", "e"}) CHECK(file_count(dir / sub) == 0);
  CHECK(file_count(dir.path()) == 2);  // "file" and unknown.ckpt, nothing else

  // The metadata sidecar (<name>.json) would land on the config itself: refused, the config kept.
  const std::string own = (dir / "tiny.json").string();
  write_text(own, R"({"model": {"net": "prisma_net", "input_size": [64, 64]}})");
  r = run_cli("export --config " + shell_arg(own) + " --no-verify --format onnx --out " + shell_arg(dir / "tiny.onnx"));
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("would replace the config") != std::string::npos);
  std::ifstream kept(own);
  CHECK(std::string(std::istreambuf_iterator<char>(kept), std::istreambuf_iterator<char>()) ==
        R"({"model": {"net": "prisma_net", "input_size": [64, 64]}})");
  CHECK_FALSE(fs::exists(dir / "tiny.onnx"));
}
