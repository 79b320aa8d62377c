#pragma once
// core/onnx_exec: running an ONNX graph op by op with LibTorch. It runs the files portraitseg exports in every
// precision (fp32, fp16, int8 QDQ) where OpenCV DNN 4.6 cannot, records intermediate tensors for int8
// calibration, and is portraitseg's own simulation of a quantised graph: QuantizeLinear/DequantizeLinear are
// computed exactly (fake quantisation), everything else in float32; float16 values are rounded back to float16
// after every op, as a runtime without float16 kernels does.
#include <onnx/onnx_pb.h>
#include <torch/types.h>

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/onnx_exec/onnx_file.h"

namespace pseg {

class OnnxExecutor {
 public:
  // Throws std::runtime_error naming the first op type it cannot run.
  explicit OnnxExecutor(const onnx::ModelProto& model);
  ~OnnxExecutor();
  OnnxExecutor(OnnxExecutor&&) noexcept;

  const std::string& input_name() const;
  const std::string& output_name() const;

  // Runs the graph on `input` (the graph's only input, on the CPU) and returns its first output. `observe`, when
  // given, sees every intermediate value by name as it is computed.
  using Observer = std::function<void(const std::string& name, const torch::Tensor& value)>;
  torch::Tensor run(const torch::Tensor& input, const Observer& observe = nullptr) const;

  // Quantisation-aware training: the graph run with autograd, `overrides` replacing initializers by name
  // (trainable weights), and `transform` applied to the input and every node output as it is computed (fake
  // quantisation); its result is what the following nodes read.
  struct Hooks {
    std::unordered_map<std::string, torch::Tensor> overrides;
    std::function<torch::Tensor(const std::string& name, const torch::Tensor& value)> transform;
  };
  torch::Tensor run_differentiable(const torch::Tensor& input, const Hooks& hooks) const;


 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  torch::Tensor execute(const torch::Tensor& input, const Observer& observe, const Hooks* hooks) const;
};

}  // namespace pseg
