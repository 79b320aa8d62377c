#include "nets/registry.h"

#include "nets/segnet.h"

namespace pseg {

// Each net file defines its entry; adding a net = its file plus one line here.
NetEntry mobile_unet_entry();
NetEntry prisma_net_entry();
NetEntry portrait_net_entry();
NetEntry slim_net_entry();
NetEntry mobile_unet_v3_entry();
NetEntry deeplab_v3_entry();

Registry<NetEntry>& net_registry() {
  static Registry<NetEntry> registry("net", {
                                                mobile_unet_entry(),
                                                prisma_net_entry(),
                                                portrait_net_entry(),
                                                slim_net_entry(),
                                                mobile_unet_v3_entry(),
                                                deeplab_v3_entry(),
                                            });
  return registry;
}

std::shared_ptr<SegNetImpl> create_net(ModelConfig config) {
  const NetEntry& entry = net_registry().at(config.net, "model.net");
  for (const auto& spec : entry.options)
    if (!config.options.has(spec.key)) config.options.set(spec.key, spec.default_value);
  return entry.create(config);
}

}  // namespace pseg
