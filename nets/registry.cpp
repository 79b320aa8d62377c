#include "nets/registry.h"

#include <stdexcept>

#include "nets/segnet.h"

namespace pseg {

// Each net file defines its entry; adding a net = its file plus one line here.
NetEntry mobile_unet_entry();
NetEntry prisma_net_entry();
NetEntry portrait_net_entry();
NetEntry slim_net_entry();

const std::vector<NetEntry>& net_registry() {
  static const std::vector<NetEntry> entries = {
      mobile_unet_entry(),
      prisma_net_entry(),
      portrait_net_entry(),
      slim_net_entry(),
  };
  return entries;
}

const NetEntry* find_net(const std::string& name) {
  for (const auto& e : net_registry())
    if (e.name == name) return &e;
  return nullptr;
}

std::vector<std::string> net_names() {
  std::vector<std::string> names;
  for (const auto& e : net_registry()) names.push_back(e.name);
  return names;
}

std::shared_ptr<SegNetImpl> create_net(ModelConfig config) {
  const NetEntry* entry = find_net(config.net);
  if (!entry) {
    std::string known;
    for (const auto& n : net_names()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("model.net: unknown net \"" + config.net + "\" (known: " + known + ")");
  }
  for (const auto& spec : entry->options)
    if (!config.options.has(spec.key)) config.options.set(spec.key, spec.default_value);
  return entry->create(config);
}

}  // namespace pseg
