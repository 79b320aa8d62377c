#pragma once
// ONNX export (export.md §3): the inference path traced, lowered op by op to an onnx::ModelProto with the
// weights as initializers, checked with onnx::checker and strict shape inference, then written.
#include <onnx/onnx_pb.h>
#include <torch/types.h>

#include <cstdint>
#include <string>

#include "core/model_io/model_meta.h"
#include "nets/segnet.h"

namespace pseg {

struct OnnxExportOptions {
  int64_t opset = 13;          // 13 (default) or 11
  bool dynamic_batch = false;  // symbolic batch dimension "N" instead of the example's batch
  bool fold_bn = true;         // fold BatchNorm into the preceding convolution where possible
};

struct OnnxModel {
  onnx::ModelProto proto;  // fp32, without metadata_props until written
  ModelMeta meta;          // `meta` with format, opset, batch and BN folding filled in
};

// Traces `net` (eval mode) on `example` and lowers it to an fp32 ONNX model.
OnnxModel build_onnx_model(SegNetImpl& net, const torch::Tensor& example, const ModelMeta& meta,
                           const OnnxExportOptions& options);

// Stores `model.meta` in metadata_props, checks the model (onnx::checker, strict shape inference) and writes it.
void write_onnx_model(OnnxModel& model, const std::string& path);

// build_onnx_model + write_onnx_model. Returns the metadata written.
ModelMeta export_onnx(SegNetImpl& net, const torch::Tensor& example, const ModelMeta& meta,
                      const OnnxExportOptions& options, const std::string& path);

}  // namespace pseg
