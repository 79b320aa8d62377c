#pragma once
// BatchNorm2d whose training statistics can span several processes (PyTorch's SyncBatchNorm). Given a function
// that sums a tensor over the ranks, a training-mode forward normalises with the mean and variance of the global
// batch (every rank's shard together) and updates the running statistics with them; the backward sums Σdy and
// Σdy·x̂ over the ranks, so each rank gets the input gradient a single process would compute for its samples. Without that function, and in eval mode, it computes what torch::nn::BatchNorm2d does, with the
// same options and the same parameter and buffer names, so checkpoints, importers and exporters see no difference.
#include <torch/nn/modules/batchnorm.h>

#include <functional>
#include <ostream>

namespace pseg {

// Sums a tensor element-wise over all ranks and returns the result (identical on every rank); it may reduce its
// argument in place (the module passes temporaries).
using SumOverRanks = std::function<torch::Tensor(const torch::Tensor&)>;

// Built on LibTorch's header-only NormImplBase (parameters, buffers, options and reset), since the compiled
// BatchNorm2dImpl cannot be derived from: LibTorch exports no base-class printer for a derived vtable.
class SyncBatchNorm2dImpl
    : public torch::nn::NormImplBase<2, SyncBatchNorm2dImpl, torch::nn::BatchNormOptions> {
 public:
  using NormImplBase::NormImplBase;

  torch::Tensor forward(const torch::Tensor& input);
  void pretty_print(std::ostream& stream) const override;

  void set_sum_over_ranks(SumOverRanks sum) { sum_over_ranks_ = std::move(sum); }
  bool synchronised() const { return static_cast<bool>(sum_over_ranks_); }

  // After fold_batch_norms (nets/conv_bn_fold.h) has moved this normalisation into the convolution before it, the
  // module passes its input through; it then refuses to train.
  void mark_folded() { folded_ = true; }
  bool folded() const { return folded_; }

 private:
  void _check_input_dim(const torch::Tensor& input) override;
  // The factor of this step's statistics in the running statistics (counts the batch).
  double running_average_factor();
  torch::Tensor forward_synchronised(const torch::Tensor& input);
  SumOverRanks sum_over_ranks_;
  bool folded_ = false;
};
TORCH_MODULE(SyncBatchNorm2d);

// Gives every SyncBatchNorm2d in `net` the cross-rank sum (an empty function turns synchronisation off).
// Returns how many BatchNorms were set. Every rank must run the same forward and backward passes in the same
// order, since each synchronised BatchNorm issues one collective in each.
int64_t synchronise_batch_norm(torch::nn::Module& net, const SumOverRanks& sum);

}  // namespace pseg
