#include "nets/registry.h"

#include <stdexcept>

#include "nets/segnet.h"

namespace pseg {

// Each net file defines its entry; adding a net = its file plus one line here.
NetEntry mobile_unet_entry();
NetEntry prisma_net_entry();
NetEntry portrait_net_entry();
NetEntry slim_net_entry();

namespace {

std::vector<NetEntry>& entries() {
  static std::vector<NetEntry> list = {
      mobile_unet_entry(),
      prisma_net_entry(),
      portrait_net_entry(),
      slim_net_entry(),
  };
  return list;
}

}  // namespace

const std::vector<NetEntry>& net_registry() { return entries(); }

void register_net(NetEntry entry) {
  if (find_net(entry.name)) throw std::invalid_argument("net \"" + entry.name + "\" is already registered");
  entries().push_back(std::move(entry));
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

const NetEntry& net_entry(const std::string& name, const std::string& key) {
  if (const NetEntry* e = find_net(name)) return *e;
  std::string known;
  for (const auto& n : net_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument(key + ": unknown net \"" + name + "\" (known: " + known + ")");
}

std::shared_ptr<SegNetImpl> create_net(ModelConfig config) {
  const NetEntry& entry = net_entry(config.net);
  for (const auto& spec : entry.options)
    if (!config.options.has(spec.key)) config.options.set(spec.key, spec.default_value);
  return entry.create(config);
}

}  // namespace pseg
