#pragma once
// Validation during training: the mask loss and both mIOU definitions on the test split, at the net's input
// resolution (the eval command scores at each image's original size instead).
#include <torch/types.h>

#include "core/metrics.h"
#include "losses/loss_config.h"

namespace pseg {

class SegNetImpl;
class TrainingData;

struct ValidationResult {
  double loss = 0;  // mean over images of the mask term (BCE for 1-channel heads, CE for 2-channel)
  SegMetrics metrics;
  MetricAccumulator accumulator;  // per-image IoUs and totals, for reduction across ranks
};

// Leaves the net in eval mode; the caller switches back to train().
ValidationResult validate(SegNetImpl& net, TrainingData& data, const LossConfig& loss, const torch::Device& device,
                          double threshold = 0.5);

}  // namespace pseg
