#pragma once
// core/info: the job behind `portraitseg info`: a net's shapes, parameter counts and multiply-accumulates.
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

// `portraitseg info`: the net of a config file, or a net by name with "key=VALUE" options ("model." implied).
struct InfoRequest {
  std::string config;
  std::string net;
  std::vector<std::string> overrides;
  std::string device = "cpu";
};
// Throws ConfigError for an unknown net, option or config key.
NetInfo run_info(const InfoRequest& request);

nlohmann::json to_json(const NetInfo& info);

}  // namespace pseg
