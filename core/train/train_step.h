#pragma once
// One optimisation step as the trainer takes it, shared by `train` and `bench --train`: the texture-augmented
// view through the net (the plain view too when the loss teaches consistency), the composite loss, backward.
// The optimiser update is separate so data-parallel training can average the gradients in between.
#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include <cstdint>
#include <string>

#include "data/augment_config.h"
#include "data/sample.h"
#include "losses/composite_loss.h"

namespace pseg {

class SegNetImpl;

struct StepLoss {
  LossResult loss;
  int64_t samples = 0;
};

// The config's loss, checked against the net (mask channels, boundary head) and the augmentation (the
// consistency terms need the texture view). Throws ConfigError naming the key at fault.
CompositeLoss checked_loss(const LossConfig& loss, const AugmentConfig& augment, const SegNetImpl& net);

// Throws ConfigError, naming `key` and its value, when `images` (a batch per process, or over all processes with
// sync_bn) are fewer than the net can train on (SegNetImpl::min_train_batch).
void check_train_batch(const SegNetImpl& net, int64_t images, const std::string& key);

// Zeroes the gradients, then forward and backward on `batch` (moved to `device`). Throws ConfigError when the
// loss needs the plain view but the batch has no texture view.
StepLoss forward_backward(SegNetImpl& net, const CompositeLoss& loss, torch::optim::Optimizer& optimizer,
                          const Batch& batch, const torch::Device& device);

}  // namespace pseg
