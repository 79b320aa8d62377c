#include "core/info/info_job.h"

#include <torch/torch.h>

#include "core/config/config.h"
#include "core/export/tracing.h"
#include "nets/registry.h"
#include "nets/segnet.h"

namespace pseg {
namespace {

std::vector<int64_t> complete_sizes(const torch::jit::Value* v) {
  auto t = v->type()->cast<c10::TensorType>();
  if (!t) return {};
  auto sizes = t->sizes().concrete_sizes();
  return sizes ? *sizes : std::vector<int64_t>{};
}

// Weights are module attributes: read their shape from the module the GetAttr points at.
std::vector<int64_t> weight_sizes(const TracedNet& traced, const torch::jit::Value* v) {
  const auto* n = v->node();
  if (n->kind() != c10::prim::GetAttr) return complete_sizes(v);
  return traced.module.attr(n->s(c10::attr::name)).toTensor().sizes().vec();
}

int64_t product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (auto x : v) p *= x;
  return p;
}

// MACs of every convolution in a traced graph: each output (input, for transposed) element costs
// (channels per group) * kernel area multiply-accumulates.
int64_t count_conv_macs(const TracedNet& traced) {
  int64_t macs = 0;
  static const auto conv = c10::Symbol::fromQualString("aten::conv2d");
  static const auto deconv = c10::Symbol::fromQualString("aten::conv_transpose2d");
  static const auto generic = c10::Symbol::fromQualString("aten::_convolution");
  for (const auto* node : traced.graph->nodes()) {
    bool transposed = node->kind() == deconv;
    if (node->kind() == generic) transposed = torch::jit::toIValue(node->input(6)).value().toBool();
    else if (node->kind() != conv && node->kind() != deconv) continue;
    const auto in = complete_sizes(node->input(0));
    const auto w = weight_sizes(traced, node->input(1));
    const auto out = complete_sizes(node->output());
    if (in.size() != 4 || w.size() != 4 || out.size() != 4) continue;
    const int64_t kernel_area = w[2] * w[3];
    macs += transposed ? product(in) * w[1] * kernel_area : product(out) * w[1] * kernel_area;
  }
  return macs;
}

}  // namespace

NetInfo inspect_net(const ModelConfig& model, const std::string& device_name) {
  torch::manual_seed(0);
  SegNet net = create_net(model);
  const torch::Device device(device_name);
  net->to(device);
  net->eval();
  const auto& spec = net->input_spec();

  NetInfo info;
  info.net = model.net;
  info.description = net->describe();
  info.options = nlohmann::json::object();
  for (const auto& option : net->config().options.values())
    std::visit([&](const auto& x) { info.options[option.first] = x; }, option.second);
  info.input_shape = {1, spec.channels, spec.height, spec.width};
  info.params = net->parameter_count();
  info.params_deploy = net->deploy_parameter_count();
  for (const auto& b : net->buffers()) info.buffers += b.is_floating_point() ? b.numel() : 0;

  torch::NoGradGuard no_grad;
  auto x = torch::rand(info.input_shape, torch::TensorOptions().device(device));
  NetOutput captured;
  const TracedNet traced = trace_net(*net, x, [&](const torch::Tensor& in) {
    captured = net->forward(in);
    std::vector<torch::Tensor> out{captured.mask_logits};
    if (captured.boundary_logits.defined()) out.push_back(captured.boundary_logits);
    return out;
  });
  info.output_shapes.push_back(captured.mask_logits.sizes().vec());
  if (captured.boundary_logits.defined()) info.output_shapes.push_back(captured.boundary_logits.sizes().vec());
  info.macs = count_conv_macs(traced);
  return info;
}

nlohmann::json to_json(const NetInfo& info) {
  return {{"net", info.net},
          {"description", info.description},
          {"options", info.options},
          {"input_shape", info.input_shape},
          {"output_shapes", info.output_shapes},
          {"params", info.params},
          {"params_deploy", info.params_deploy},
          {"buffers", info.buffers},
          {"macs", info.macs}};
}

NetInfo run_info(const InfoRequest& r) {
  Config config;
  if (!r.config.empty()) {
    config = load_config(r.config, r.overrides);
  } else {
    nlohmann::json j = {{"model", {{"net", r.net}}}};
    for (const auto& s : r.overrides) apply_override(j, s.rfind("model.", 0) == 0 ? s : "model." + s);
    config = parse_config(j, "--net " + r.net);
  }
  return inspect_net(config.model, r.device);
}

}  // namespace pseg
