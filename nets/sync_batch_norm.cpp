#include "nets/sync_batch_norm.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace pseg {

torch::Tensor SyncBatchNorm2dImpl::forward(const torch::Tensor& input) {
  _check_input_dim(input);
  if (folded_) {
    if (is_training())
      throw std::logic_error("BatchNorm2d: folded into its convolution for inference, it cannot train");
    return input;
  }
  if (sum_over_ranks_ && is_training()) return forward_synchronised(input);
  const bool use_batch_stats = is_training() || !options.track_running_stats();
  const double factor = is_training() && options.track_running_stats() ? running_average_factor() : 0.0;
  return torch::nn::functional::detail::batch_norm(input, running_mean, running_var, weight, bias, use_batch_stats,
                                                   factor, options.eps());
}

void SyncBatchNorm2dImpl::_check_input_dim(const torch::Tensor& input) {
  if (input.dim() != 4)
    throw std::invalid_argument("BatchNorm2d: expected a 4-D input, got " + std::to_string(input.dim()) + "-D");
}

double SyncBatchNorm2dImpl::running_average_factor() {
  num_batches_tracked += 1;
  // Without a momentum the running statistics are the cumulative average.
  return options.momentum() ? *options.momentum() : 1.0 / num_batches_tracked.item<double>();
}

namespace {

struct SumHolder : torch::CustomClassHolder {
  explicit SumHolder(SumOverRanks s) : sum(std::move(s)) {}
  SumOverRanks sum;
};

torch::Tensor per_channel(const torch::Tensor& t, const torch::Tensor& like) {
  return t.to(like.scalar_type()).view({1, -1, 1, 1});
}

// Normalisation with given global statistics, and the backward of PyTorch's SyncBatchNorm: the input gradient
// needs the sums of dy and dy*(x - mean) over the global batch (one all-reduce), the weight and bias gradients
// are this rank's share (data-parallel training averages them like every other gradient). Each pass over the
// activations is one fused ATen kernel (addcmul, the batch norm backward reduction).
struct SyncBatchNormFunction : torch::autograd::Function<SyncBatchNormFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, const torch::Tensor& bias, const torch::Tensor& mean,
                               const torch::Tensor& invstd, double count, c10::intrusive_ptr<SumHolder> sum) {
    torch::Tensor scale = invstd, shift = -mean * invstd;
    if (weight.defined()) {
      scale = invstd * weight.to(torch::kFloat64);
      shift = bias.to(torch::kFloat64) - mean * scale;
    }
    ctx->save_for_backward({x, weight, mean, invstd});
    ctx->saved_data["count"] = count;
    ctx->saved_data["sum"] = c10::IValue::make_capsule(std::move(sum));
    return torch::addcmul(per_channel(shift, x), x, per_channel(scale, x));
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &mean = saved[2], &invstd = saved[3];
    const torch::Tensor weight = saved[1].defined() ? saved[1] : torch::ones({x.size(1)}, x.options());
    const double count = ctx->saved_data["count"].toDouble();
    const auto sum = c10::static_intrusive_pointer_cast<SumHolder>(ctx->saved_data["sum"].toCapsule());
    const torch::Tensor dy = grads[0].contiguous();
    const int64_t c = x.size(1);

    // This rank's sums of dy*xhat and dy, which are also its weight and bias gradients.
    const auto reduced = torch::native_batch_norm_backward(dy, x, weight, {}, {}, mean.to(x.scalar_type()),
                                                           invstd.to(x.scalar_type()), /*train=*/true, 0.0,
                                                           {false, true, true});
    const torch::Tensor sum_dy_xhat = std::get<1>(reduced), sum_dy = std::get<2>(reduced);
    const torch::Tensor global =
        sum->sum(torch::cat({sum_dy.to(torch::kFloat64), sum_dy_xhat.to(torch::kFloat64)}));
    const torch::Tensor mean_dy = global.narrow(0, 0, c) / count;
    const torch::Tensor mean_dy_xhat = global.narrow(0, c, c) / count;

    // dx = (dy - mean(dy) - xhat * mean(dy * xhat)) * invstd * w = a * dy + b * x + k, per channel a, b, k.
    const torch::Tensor a = invstd * weight.to(torch::kFloat64);
    const torch::Tensor b = -a * invstd * mean_dy_xhat;
    const torch::Tensor k = -a * mean_dy - b * mean;
    const torch::Tensor dx = torch::addcmul(torch::addcmul(per_channel(k, x), x, per_channel(b, x)), dy,
                                            per_channel(a, x));
    torch::Tensor dweight, dbias;
    if (saved[1].defined()) {
      dweight = sum_dy_xhat;
      dbias = sum_dy;
    }
    return {dx, dweight, dbias, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor SyncBatchNorm2dImpl::forward_synchronised(const torch::Tensor& x) {
  const int64_t c = x.size(1);
  torch::Tensor mean, var;
  double count = 0;
  {
    // This rank's mean and variance become the global batch's through one collective of per-channel sums
    // n*mean, n*(var + mean^2) and n, combined in double.
    torch::NoGradGuard no_grad;
    // ATen's batch norm statistics kernel (no running statistics given: nothing updated): mean, biased variance.
    const auto local_stats = torch::batch_norm_update_stats(x, {}, {}, 0.0);
    const torch::Tensor local_mean = std::get<0>(local_stats).to(torch::kFloat64);
    const torch::Tensor local_var = std::get<1>(local_stats).to(torch::kFloat64);
    const double n = static_cast<double>(x.numel() / c);
    const torch::Tensor global = sum_over_ranks_(
        torch::cat({local_mean * n, (local_var + local_mean.square()) * n, torch::full({1}, n, local_mean.options())}));
    count = global[2 * c].item<double>();
    if (count <= 1)
      throw std::invalid_argument("BatchNorm2d: expected more than 1 value per channel when training (sync_bn)");
    mean = global.narrow(0, 0, c) / count;
    var = (global.narrow(0, c, c) / count - mean.square()).clamp_min(0);  // biased, as used to normalise
  }
  const torch::Tensor y = SyncBatchNormFunction::apply(x, weight, bias, mean, (var + options.eps()).rsqrt(), count,
                                                       c10::make_intrusive<SumHolder>(sum_over_ranks_));
  if (options.track_running_stats()) {
    torch::NoGradGuard no_grad;
    const double momentum = running_average_factor();
    running_mean.copy_(running_mean.to(torch::kFloat64) * (1 - momentum) + mean * momentum);
    running_var.copy_(running_var.to(torch::kFloat64) * (1 - momentum) + var * (count / (count - 1)) * momentum);
  }
  return y;
}

void SyncBatchNorm2dImpl::pretty_print(std::ostream& stream) const {
  stream << "SyncBatchNorm2d(" << options.num_features() << ", eps=" << options.eps() << ", momentum=";
  if (options.momentum())
    stream << *options.momentum();
  else
    stream << "None";
  stream << ", affine=" << (options.affine() ? "true" : "false")
         << ", track_running_stats=" << (options.track_running_stats() ? "true" : "false")
         << (synchronised() ? ", synchronised" : "") << (folded_ ? ", folded" : "") << ")";
}

int64_t synchronise_batch_norm(torch::nn::Module& net, const SumOverRanks& sum) {
  int64_t n = 0;
  for (const auto& m : net.modules()) {
    if (auto* bn = dynamic_cast<SyncBatchNorm2dImpl*>(m.get())) {
      bn->set_sum_over_ranks(sum);
      ++n;
    }
  }
  return n;
}

}  // namespace pseg
