#pragma once
// ONNX export (export.md §3): the inference path traced, lowered op by op to an onnx::ModelProto with the
// weights as initializers, checked with onnx::checker and strict shape inference, then written.
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

// Traces `net` (eval mode) on `example` and writes the ONNX model to `path`; `meta` goes into metadata_props
// (with format, opset, batch and BN folding filled in). Returns the metadata written.
ModelMeta export_onnx(SegNetImpl& net, const torch::Tensor& example, const ModelMeta& meta,
                      const OnnxExportOptions& options, const std::string& path);

}  // namespace pseg
