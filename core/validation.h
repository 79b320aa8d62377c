#pragma once
// Validation during training: the mask loss and both mIOU definitions on the test split, at the net's input
// resolution (the eval command scores at each image's original size instead).
#include <torch/types.h>

#include <vector>

#include "core/metrics.h"
#include "losses/loss_config.h"

namespace pseg {

class SegNetImpl;
class TrainingData;

struct ValidationResult {
  double loss = 0;  // mean over images of the mask term (BCE for 1-channel heads, CE for 2-channel)
  SegMetrics metrics;
  MetricAccumulator accumulator;  // per-image IoUs and totals
  // Per image, in loader order, for reduction across ranks (core/distributed.h): its pixel counts and the mask
  // loss of its batch (the test loader's batches hold one image).
  std::vector<ConfusionCounts> image_counts;
  std::vector<double> image_losses;
};

// Leaves the net in eval mode; the caller switches back to train().
ValidationResult validate(SegNetImpl& net, TrainingData& data, const LossConfig& loss, const torch::Device& device,
                          double threshold = 0.5);

}  // namespace pseg
