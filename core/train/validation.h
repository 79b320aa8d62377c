#pragma once
// Validation during training: the mask loss and both mIOU definitions on the test split, at the net's input
// resolution (the eval command scores at each image's original size instead).
#include <torch/types.h>

#include "core/eval/validation_result.h"
#include "losses/loss_config.h"

namespace pseg {

class SegNetImpl;
class TrainingData;

// Leaves the net in eval mode; the caller switches back to train().
ValidationResult validate(SegNetImpl& net, TrainingData& data, const LossConfig& loss, const torch::Device& device,
                          double threshold = 0.5);

}  // namespace pseg
