#include "core/train/validation.h"

#include <torch/torch.h>

#include "core/train/training_data.h"
#include "losses/bce_loss.h"
#include "losses/cross_entropy_loss.h"
#include "nets/segnet.h"

namespace pseg {

ValidationResult validate(SegNetImpl& net, TrainingData& data, const LossConfig& loss, const torch::Device& device,
                          double threshold) {
  net.eval();
  torch::NoGradGuard no_grad;
  ValidationResult r;
  double loss_sum = 0;
  int64_t batches = 0;
  data.start_test();
  while (auto batch = data.next_test_batch()) {
    const auto logits = net.forward(batch->input.to(device)).mask_logits;
    const auto label = batch->label.to(device);
    torch::Tensor soft;
    if (loss.soft_targets && batch->soft.defined()) soft = batch->soft.to(device);
    const auto mask_loss = logits.size(1) == 1 ? pseg::bce_with_logits_loss(logits, label, soft) : pseg::cross_entropy_loss(logits, label);
    const double batch_loss = mask_loss.item<double>();
    loss_sum += batch_loss;
    ++batches;
    const auto pred = (foreground_probability(logits) > threshold).squeeze(1).to(torch::kCPU);
    const auto label_cpu = batch->label.to(torch::kCPU);
    for (int64_t i = 0; i < pred.size(0); ++i) {
      const ConfusionCounts counts = count_pixels(pred[i], label_cpu[i]);
      r.accumulator.add(counts);
      r.image_counts.push_back(counts);
      r.image_losses.push_back(batch_loss);
    }
  }
  r.loss = batches ? loss_sum / static_cast<double>(batches) : 0.0;
  r.metrics = r.accumulator.result();
  return r;
}

}  // namespace pseg
