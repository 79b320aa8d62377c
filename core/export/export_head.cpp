#include "core/export/export_head.h"

#include <torch/torch.h>

namespace pseg {

torch::Tensor inference_forward(SegNetImpl& net, const torch::Tensor& x, ExportHead head, float threshold) {
  const torch::Tensor logits = net.forward(x).mask_logits;
  if (head == ExportHead::Logits) return logits;
  const torch::Tensor prob = foreground_probability(logits);
  if (head == ExportHead::Probability) return prob;
  // Scaled in float: ONNX Mul has no uint8 before opset 14.
  return prob.gt(threshold).to(torch::kFloat).mul(255).to(torch::kUInt8);
}

}  // namespace pseg
