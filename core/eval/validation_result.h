#pragma once
// What a validation pass over a test split yields: the mask loss, both mIOU definitions and the per-image
// results that data-parallel ranks combine (core/distributed).
#include <vector>

#include "core/eval/metrics.h"

namespace pseg {

struct ValidationResult {
  double loss = 0;  // mean over images of the mask term (BCE for 1-channel heads, CE for 2-channel)
  SegMetrics metrics;
  MetricAccumulator accumulator;  // per-image IoUs and totals
  // Per image, in loader order, for reduction across ranks (core/distributed/distributed.h): its pixel counts and the mask
  // loss of its batch (the test loader's batches hold one image).
  std::vector<ConfusionCounts> image_counts;
  std::vector<double> image_losses;
};

}  // namespace pseg
