#pragma once
// The one place that knows every net: name -> options schema and factory.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/common/registry.h"
#include "nets/net_options.h"

namespace pseg {

class SegNetImpl;

struct NetEntry {
  std::string name;
  std::string summary;
  std::vector<OptionSpec> options;
  // Builds the net; throws std::invalid_argument naming the model.* key at fault.
  std::function<std::shared_ptr<SegNetImpl>(const ModelConfig&)> create;
};

// Every net by name; an application or a test may add its own (core/common/registry.h).
Registry<NetEntry>& net_registry();
// Fills options the config left out with their defaults, then builds the net.
std::shared_ptr<SegNetImpl> create_net(ModelConfig config);

}  // namespace pseg
