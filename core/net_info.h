#pragma once
// What `portraitseg info` reports about a net: shapes, parameter counts, multiply-accumulates.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "nets/net_options.h"

namespace pseg {

struct NetInfo {
  std::string net;
  std::string description;
  nlohmann::json options;
  std::vector<int64_t> input_shape;
  std::vector<std::vector<int64_t>> output_shapes;  // mask logits, then boundary logits when present
  int64_t params = 0;         // trainable parameters as configured
  int64_t params_deploy = 0;  // what an exported model keeps (no training-only heads)
  int64_t buffers = 0;        // BN running statistics
  int64_t macs = 0;           // multiply-accumulates of convolutions at the input size
};

// Builds the net, runs one traced forward pass at its input size on `device`, and counts.
NetInfo inspect_net(const ModelConfig& model, const std::string& device = "cpu");

nlohmann::json to_json(const NetInfo& info);

}  // namespace pseg
