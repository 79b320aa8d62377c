#include "core/export/tracing.h"

#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/torch.h>

#include <algorithm>

namespace pseg {
std::string flat_name(std::string name) {
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

TracedNet trace_net(SegNetImpl& net, const torch::Tensor& example,
                    const std::function<std::vector<torch::Tensor>(const torch::Tensor&)>& fn) {
  auto cu = std::make_shared<torch::jit::CompilationUnit>();
  const std::string type_name = "__torch__." + net.name();
  TracedNet out{torch::jit::Module(c10::QualifiedName(type_name), cu, /*shouldMangle=*/false), nullptr, {}};
  auto& jm = out.module;
  // C++-created modules lack `training`; without it eval()/train() do nothing.
  jm.register_attribute("training", c10::BoolType::get(), net.is_training());
  // Register the same tensor objects so the tracer maps them to attributes rather than constants.
  for (const auto& p : net.named_parameters()) {
    jm.register_parameter(flat_name(p.key()), p.value(), /*is_buffer=*/false);
    out.attribute_names.push_back(flat_name(p.key()));
  }
  for (const auto& b : net.named_buffers()) {
    jm.register_buffer(flat_name(b.key()), b.value());
    out.attribute_names.push_back(flat_name(b.key()));
  }
  auto traced = torch::jit::tracer::trace(
      {example},
      [&](torch::jit::Stack in) -> torch::jit::Stack {
        torch::jit::Stack result;
        for (auto& t : fn(in[0].toTensor())) result.emplace_back(t);
        return result;
      },
      [](const torch::autograd::Variable&) { return std::string(); }, /*strict=*/true, /*force_outplace=*/false, &jm);
  out.graph = traced.first->graph;
  auto* method = cu->create_function(c10::QualifiedName(*jm.type()->name(), "forward"), out.graph);
  jm.type()->addMethod(method);
  return out;
}

}  // namespace pseg
