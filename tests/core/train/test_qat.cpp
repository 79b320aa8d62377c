// Quantisation-aware fine-tuning: the fake-quantised net computes what its int8 export computes, gradients reach
// the float weights, observers move until frozen, and a run writes int8 files (not checkpoints) that eval opens.
#include <torch/torch.h>

#include <filesystem>

#include "core/config/config.h"
#include "core/common/errors.h"
#include "core/export/export_head.h"
#include "core/model_io/checkpoint.h"
#include "core/model_io/model_meta.h"
#include "core/onnx_exec/onnx_executor.h"
#include "core/train/qat_net.h"
#include "core/train/train_job.h"
#include "nets/registry.h"
#include "tests/core/trainer_test_util.h"
#include "tests/test_support.h"

using namespace pseg;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

SegNet small_net(const std::string& name) {
  ModelConfig m;
  m.net = name;
  m.height = m.width = 64;
  torch::manual_seed(5);
  SegNet net = create_net(m);
  net->eval();
  return net;
}

}  // namespace

TEST_CASE("qat: the fake-quantised net computes what its int8 export computes", "[core][qat]") {
  for (const std::string name : {"prisma_net", "mobile_unet"}) {
    INFO(name);
    SegNet net = small_net(name);
    QatNet qat(*net);
    torch::manual_seed(1);
    const torch::Tensor x = torch::rand({2, 3, 64, 64});
    qat->train();
    qat->forward(x);  // observes the ranges
    qat->eval();
    torch::NoGradGuard no_grad;
    const torch::Tensor sim = qat->forward(x).mask_logits;
    const OnnxModel int8 = qat->int8_model();
    CHECK(int8.meta.precision == "int8");
    CHECK(int8.meta.quantization["quantization_aware_training"] == true);
    const torch::Tensor exported = OnnxExecutor(int8.proto).run(x);
    // Training keeps float biases where the file stores them as int32 (a rounding of under a hundredth of a step).
    const double step = int8.meta.quantization["activations"]["last_step"].get<double>();
    INFO("max |training - export| " << (sim - exported).abs().max().item<double>() << ", last step " << step);
    CHECK((sim - exported).abs().max().item<double>() <= step);
    // And the fake quantisation is not a no-op: the float graph differs.
    const torch::Tensor fp32 = inference_forward(*net, x, ExportHead::Logits, 0.5f);
    CHECK((sim - fp32).abs().max().item<double>() > 0);
  }
}

TEST_CASE("qat: gradients reach the float weights, observers move until frozen", "[core][qat]") {
  SegNet net = small_net("prisma_net");
  QatNet qat(*net);
  const size_t convs = qat->parameters().size();
  CHECK(convs > 10);
  qat->train();
  torch::manual_seed(2);
  qat->forward(torch::rand({1, 3, 64, 64}));
  const auto first = qat->ranges();
  REQUIRE(!first.empty());
  const torch::Tensor logits = qat->forward(torch::rand({1, 3, 64, 64}) * 3).mask_logits;
  logits.mean().backward();
  size_t with_grad = 0;
  for (const auto& p : qat->parameters()) with_grad += p.grad().defined() && p.grad().abs().sum().item<double>() > 0;
  CHECK(with_grad == convs);
  const auto moved = qat->ranges();
  // The input's range (in 0..1 first, then 0..3) moved a hundredth of the way towards the larger batch's.
  CHECK(moved.at("input").hi > first.at("input").hi);
  CHECK(moved.at("input").hi < first.at("input").hi + 0.03f);
  qat->freeze_observers();
  qat->forward(torch::rand({1, 3, 64, 64}) * 10);
  CHECK(qat->ranges().at("input").hi == moved.at("input").hi);
}

TEST_CASE("qat: a run fine-tunes init_from and writes int8 files that eval opens", "[core][qat]") {
  test::ScratchDir dir("qat_run");
  test::write_tiny_dataset(dir / "data");
  json j = test::tiny_train_config({{"net", "prisma_net"}, {"input_size", {64, 64}}}, dir / "data", dir / "float");
  j["train"]["max_steps_per_epoch"] = 2;
  TrainRequest req;
  req.config = parse_config(j, (dir / "float.json").string());
  run_training(req);
  REQUIRE(fs::exists(dir / "float" / "last.ckpt"));

  json q = j;
  q["train"]["run_dir"] = (dir / "qat").string();
  q["train"]["epochs"] = 2;
  q["train"]["quantization_aware"] = true;
  CHECK_THROWS_WITH(parse_config(q, "qat.json"), Catch::Contains("train.quantization_aware") &&
                                                     Catch::Contains("needs train.init_from"));
  q["train"]["init_from"] = (dir / "float" / "last.ckpt").string();
  req.config = parse_config(q, (dir / "qat.json").string());
  const TrainResult r = run_training(req);
  CHECK(r.epochs_completed == 2);
  CHECK(fs::exists(dir / "qat" / "best.int8.onnx"));
  CHECK(fs::exists(dir / "qat" / "last.int8.onnx"));
  CHECK_FALSE(fs::exists(dir / "qat" / "last.ckpt"));  // a QatNet is no registry net: no checkpoint
  const ModelMeta meta = read_onnx_meta((dir / "qat" / "last.int8.onnx").string());
  CHECK(meta.net == "prisma_net");
  CHECK(meta.precision == "int8");
  CHECK(meta.output == ExportHead::Logits);
  const auto e = test::run_cli("eval --model \"" + (dir / "qat" / "last.int8.onnx").string() + "\" --data \"list:" +
                               (dir / "data").string() + ",list=test.txt,mask_rule===1\"");
  INFO(e.out);
  CHECK(e.exit_code == 0);

  TrainRequest resume;
  resume.config = req.config;
  resume.resume = (dir / "float" / "last.ckpt").string();
  CHECK_THROWS_AS(run_training(resume), ConfigError);
}
