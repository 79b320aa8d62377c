#pragma once
// Reloads exported files and runs them against the eager model: TorchScript through torch::jit::load, ONNX
// through OpenCV DNN (the runtime deployments of this project use).
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

#include "core/model_io/model_meta.h"

namespace pseg {

struct VerifyInput {
  std::string name;  // "random-0", "batch-2", ...
  torch::Tensor x;
};

struct VerifyCase {
  std::string input;
  double max_abs_diff = 0;
  double mean_abs_diff = 0;
};

struct VerifyReport {
  std::string format;  // "torchscript" | "onnx"
  std::string runtime; // "torch::jit::load" | "OpenCV DNN"
  std::vector<VerifyCase> cases;
  double tolerance = 0;
  bool ok = true;
  // fp16/int8 files: the difference from the fp32 eager model is reported, not held to the 1e-4 rule; only a
  // non-finite or wrongly shaped output fails.
  bool report_only = false;
  double max_abs_diff() const;
};

using EagerFn = std::function<torch::Tensor(const torch::Tensor&)>;

// Inputs in the range the net sees: normalised random pixels (prior channel uniform in 0..1), batch 1,
// plus a batch of 2 when `batch2`. Deterministic for a given seed.
std::vector<VerifyInput> verification_inputs(const ModelMeta& meta, bool batch2, const torch::Device& device,
                                             uint64_t seed = 1234);

// Allowed max |difference|: 1e-4 for probabilities and masks, scaled by the output magnitude for logits.
double verify_tolerance(ExportHead head, const torch::Tensor& reference);

VerifyReport verify_torchscript(const std::string& path, const EagerFn& eager, const std::vector<VerifyInput>& inputs,
                                ExportHead head);
// A reduced-precision ONNX file run in the LibTorch ONNX executor (OpenCV DNN 4.6 cannot load float16 or
// QuantizeLinear/DequantizeLinear graphs) and compared with the fp32 eager model.
VerifyReport verify_onnx_reduced(const std::string& path, const EagerFn& eager, const std::vector<VerifyInput>& inputs);
VerifyReport verify_onnx_opencv(const std::string& path, const EagerFn& eager, const std::vector<VerifyInput>& inputs,
                                ExportHead head);

}  // namespace pseg
