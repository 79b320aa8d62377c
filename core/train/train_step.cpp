#include "core/train/train_step.h"

#include <torch/torch.h>

#include "core/common/errors.h"
#include "nets/segnet.h"

namespace pseg {

void check_train_batch(const SegNetImpl& net, int64_t images, const std::string& key) {
  if (images >= net.min_train_batch()) return;
  throw ConfigError(key + ": " + net.config().net + " trains on batches of at least " +
                    std::to_string(net.min_train_batch()) + " images (one of its BatchNorms normalises a 1x1 map, " +
                    "one value per channel per image); got " + std::to_string(images));
}

CompositeLoss checked_loss(const LossConfig& config, const AugmentConfig& augment, const SegNetImpl& net) {
  try {
    CompositeLoss loss(config);
    loss.check_compatible(net.input_spec().logit_channels, net.has_boundary_head());
    if (loss.needs_plain_view() && !augment.texture_view)
      throw ConfigError("loss.consistency: needs the texture-augmented view (set augment.texture_view to true)");
    return loss;
  } catch (const ConfigError&) {
    throw;
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
}

StepLoss forward_backward(SegNetImpl& net, const CompositeLoss& loss, torch::optim::Optimizer& optimizer,
                          const Batch& batch, const torch::Device& device) {
  LossInputs in;
  in.label = batch.label.to(device);
  if (batch.soft.defined()) in.soft = batch.soft.to(device);
  if (batch.boundary.defined()) in.boundary = batch.boundary.to(device);
  // The texture-augmented view is the main one (as in the reference); the plain view teaches consistency.
  const torch::Tensor& main_input = batch.input_texture.defined() ? batch.input_texture : batch.input;
  const NetOutput out = net.forward(main_input.to(device));
  in.logits = out.mask_logits;
  in.boundary_logits = out.boundary_logits;
  if (loss.needs_plain_view()) {
    if (!batch.input_texture.defined())
      throw ConfigError("loss.consistency: the augmentation produces no texture view (set augment.texture_view)");
    in.logits_plain = net.forward(batch.input.to(device)).mask_logits;
  }
  StepLoss r{loss(in), static_cast<int64_t>(batch.input.size(0))};
  optimizer.zero_grad();
  r.loss.total.backward();
  return r;
}

}  // namespace pseg
