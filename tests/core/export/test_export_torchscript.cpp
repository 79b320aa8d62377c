// TorchScript export: reload in C++ matches eager bit for bit, at the traced and at a second input size,
// parameters stay module attributes, training-only branches are dropped, metadata round-trips.
#include <torch/script.h>

#include "core/export/export_head.h"
#include "core/export/export_torchscript.h"
#include "core/model_io/model_meta.h"
#include "tests/core/export_test_util.h"

using namespace pseg;
using namespace pseg::test;

namespace {

double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
  REQUIRE(a.sizes() == b.sizes());
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

}  // namespace

TEST_CASE("TorchScript export of every config reloads and matches eager at two sizes", "[export][torchscript]") {
  torch::NoGradGuard no_grad;
  ScratchDir dir("ts_export");
  for (const auto& name : six_configs()) {
    INFO(name);
    SegNet net = seeded_net(name, 64, 64);
    const ModelMeta meta = meta_for(*net, ExportHead::Probability, 0.5f);
    const std::string path = (dir / (name + ".pt")).string();
    export_torchscript(*net, random_input(*net), meta, path);

    torch::jit::Module m = torch::jit::load(path);
    CHECK(m.parameters().size() > 0);  // weights are attributes, not baked constants
    for (const auto& [h, w] : std::vector<std::pair<int64_t, int64_t>>{{64, 64}, {96, 128}}) {
      const torch::Tensor x = random_input(*net, 2, h, w);
      const torch::Tensor eager = traced_ops_forward(*net, x, ExportHead::Probability);
      const torch::Tensor loaded = m.forward({x}).toTensor();
      CHECK(loaded.sizes() == torch::IntArrayRef({2, 1, h, w}));
      CHECK(max_diff(loaded, eager) == 0.0);
    }
    const ModelMeta back = read_torchscript_meta(path);
    CHECK(back.net == meta.net);
    CHECK(back.format == "torchscript");
    CHECK(back.height == 64);
    CHECK(back.channels == net->input_spec().channels);
    CHECK(back.output == ExportHead::Probability);
  }
}

TEST_CASE("TorchScript export drops the boundary head", "[export][torchscript]") {
  ScratchDir dir("ts_edge");
  SegNet net = seeded_net("portrait_net", 64, 64);
  REQUIRE(net->named_parameters().contains("edge.weight"));
  const std::string path = (dir / "pn.pt").string();
  export_torchscript(*net, random_input(*net), meta_for(*net, ExportHead::Logits, 0.5f), path);
  torch::jit::Module m = torch::jit::load(path);
  CHECK_FALSE(m.hasattr("edge_weight"));
  CHECK(m.hasattr("pred_weight"));
  const torch::Tensor x = random_input(*net);
  torch::NoGradGuard no_grad;
  CHECK(max_diff(m.forward({x}).toTensor(), traced_ops_forward(*net, x, ExportHead::Logits)) == 0.0);
}

TEST_CASE("TorchScript mask head is the thresholded eager probability", "[export][torchscript]") {
  ScratchDir dir("ts_mask");
  SegNet net = seeded_net("prisma_net", 64, 64);
  const std::string path = (dir / "mask.pt").string();
  export_torchscript(*net, random_input(*net), meta_for(*net, ExportHead::Mask, 0.5f), path);
  torch::jit::Module m = torch::jit::load(path);
  torch::NoGradGuard no_grad;
  const torch::Tensor x = random_input(*net);
  const torch::Tensor mask = m.forward({x}).toTensor();
  CHECK(mask.scalar_type() == torch::kUInt8);
  const torch::Tensor expected =
      foreground_probability(traced_ops_forward(*net, x, ExportHead::Logits)).gt(0.5).to(torch::kUInt8) * 255;
  CHECK(torch::equal(mask, expected));
  CHECK(read_torchscript_meta(path).output == ExportHead::Mask);
}

TEST_CASE("read_torchscript_meta rejects files without metadata", "[export][torchscript]") {
  ScratchDir dir("ts_meta");
  const std::string path = (dir / "plain.pt").string();
  write_text(path, "not an archive");
  CHECK_THROWS_WITH(read_torchscript_meta(path), Catch::Contains("not a TorchScript archive"));
}

TEST_CASE("model metadata with an integer beyond its field's range is refused", "[export][metadata]") {
  // Found by tests/fuzz/fuzz_model_meta.cpp: a 60-digit size_multiple parses as a float, and nlohmann's cast of it to
  // an integer was undefined behaviour.
  const std::string found = source_path("tests/fuzz/corpus/model_meta/regression-float-as-integer");
  std::ifstream in(found);
  const nlohmann::json j = nlohmann::json::parse(in);
  CHECK_THROWS_WITH(meta_from_json(j, "found.json"),
                    Catch::Contains("found.json") && Catch::Contains("\"size_multiple\" is not an integer in the supported range"));
  std::ifstream seed(source_path("tests/fuzz/corpus/model_meta/tiny.meta.json"));
  nlohmann::json whole = nlohmann::json::parse(seed);
  whole["input"]["size_multiple"] = 32.0;  // a float that is a whole number still reads
  CHECK(meta_from_json(whole, "whole.json").size_multiple == 32);
}
