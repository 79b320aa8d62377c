#pragma once
// Traces a SegNet into a torch::jit::Module whose attributes are the net's own parameters and buffers
// (export.md §2.1, route A). Shared by `info` (MAC counting) and the exporters.
#include <torch/csrc/jit/api/module.h>

#include <functional>
#include <string>

#include "nets/segnet.h"

namespace pseg {

struct TracedNet {
  torch::jit::Module module;                         // forward(x) -> traced outputs
  std::shared_ptr<torch::jit::Graph> graph;          // the traced graph (self as first input)
  std::vector<std::string> attribute_names;          // flattened parameter/buffer names, in registration order
};

// The attribute name of a parameter or buffer in a traced module: its module path with '.' replaced by '_'.
std::string flat_name(std::string name);

// Traces `fn(x)` (which must call `net`) with `example` as input. The net is not switched to eval here.
TracedNet trace_net(SegNetImpl& net, const torch::Tensor& example,
                    const std::function<std::vector<torch::Tensor>(const torch::Tensor&)>& fn);

}  // namespace pseg
