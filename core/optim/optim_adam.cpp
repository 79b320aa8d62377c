// Adam with torch's coupled weight decay, which is what PortraitNet's torch.optim.Adam(weight_decay=5e-4) uses.
#include <torch/optim/adam.h>

#include "core/optim/optim_registry.h"

namespace pseg {

OptimizerEntry adam_optimizer() {
  OptimizerEntry e;
  e.name = "adam";
  e.summary = "Adam (betas, eps or adam_eps \"keras\" | \"torch\")";
  e.keys = {"betas", "eps", "adam_eps"};
  e.parse = [](const JsonReader& r, OptimConfig& c) {
    const auto betas = r.get_number_array("betas", std::vector<double>{c.beta1, c.beta2}, 2);
    for (double b : betas)
      if (!(b >= 0 && b < 1)) r.fail("betas", "each beta must be in [0, 1)");
    c.beta1 = betas[0];
    c.beta2 = betas[1];
    if (r.has("eps") && r.has("adam_eps")) r.fail("adam_eps", "give either eps or adam_eps, not both");
    if (r.has("adam_eps")) c.eps = r.get_choice("adam_eps", {"keras", "torch"}) == "keras" ? 1e-7 : 1e-8;
    c.eps = r.get_number("eps", c.eps);
    if (!(c.eps > 0)) r.fail("eps", "must be > 0");
  };
  e.create = [](const OptimConfig& c, std::vector<torch::Tensor> params) -> std::unique_ptr<torch::optim::Optimizer> {
    return std::make_unique<torch::optim::Adam>(
        std::move(params),
        torch::optim::AdamOptions(c.lr).betas({c.beta1, c.beta2}).eps(c.eps).weight_decay(c.weight_decay));
  };
  return e;
}

}  // namespace pseg
