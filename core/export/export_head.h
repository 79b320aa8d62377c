#pragma once
// The inference path an export traces: the net in eval mode, training-only outputs dropped, the head applied.
#include <torch/types.h>

#include "core/model_io/model_meta.h"
#include "nets/segnet.h"

namespace pseg {

// Runs `net` on `x` and returns what an exported graph with `head` returns (see ExportHead).
torch::Tensor inference_forward(SegNetImpl& net, const torch::Tensor& x, ExportHead head, float threshold);

}  // namespace pseg
