#pragma once
// The one place that knows every net: name -> options schema and factory.
#include <functional>
#include <memory>
#include <string>
#include <vector>

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

const std::vector<NetEntry>& net_registry();
// Adds a net at run time (an application's own, or a test's); throws std::invalid_argument when the name is taken.
void register_net(NetEntry entry);
// nullptr when no net has that name.
const NetEntry* find_net(const std::string& name);
// The named net, or std::invalid_argument "<key>: unknown net \"x\" (known: ...)".
const NetEntry& net_entry(const std::string& name, const std::string& key = "model.net");
std::vector<std::string> net_names();
// Fills options the config left out with their defaults, then builds the net.
std::shared_ptr<SegNetImpl> create_net(ModelConfig config);

}  // namespace pseg
