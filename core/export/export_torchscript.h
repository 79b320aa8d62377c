#pragma once
// TorchScript export (export.md §2, route A): the inference path traced with the net's parameters as module
// attributes, training-only branches removed, metadata as an extra file, saved with torch::jit::Module::save.
#include <torch/types.h>

#include <string>

#include "core/model_io/model_meta.h"
#include "nets/segnet.h"

namespace pseg {

// Traces `net` (must be in eval mode) on `example` with `head` and writes the archive to `path`.
void export_torchscript(SegNetImpl& net, const torch::Tensor& example, const ModelMeta& meta, const std::string& path);

}  // namespace pseg
