#pragma once
// Shared by the export tests: the six shipped configs, seeded nets, raw tensor files, running the checkers.
#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/export/export_head.h"
#include "nets/blocks.h"
#include "nets/registry.h"
#include "nets/segnet.h"
#include "tests/test_support.h"

namespace pseg::test {

// The net's output from the ops an export's trace records. (Otherwise transposed convolutions and Mobile-Unet
// bilinear's up-convolutions take faster forms that agree within float rounding: blocks::TracedFormGuard.)
inline torch::Tensor traced_ops_forward(SegNetImpl& net, const torch::Tensor& x, ExportHead head,
                                        float threshold = 0.5f) {
  blocks::TracedFormGuard traced_form;
  return inference_forward(net, x, head, threshold).detach();
}

// The six configs every export test covers (configs/<name>.json).
inline const std::vector<std::string>& six_configs() {
  static const std::vector<std::string> names = {"mobile_unet_deconv", "mobile_unet_bilinear", "prisma_net",
                                                 "portrait_net",       "portrait_net_video",   "slim_net"};
  return names;
}

inline std::string config_path(const std::string& name) { return source_path("configs/" + name + ".json"); }

// The net `portraitseg export --config` builds: seeded with `seed`, at (h, w) when given, in eval mode.
inline SegNet seeded_net(const std::string& config_name, int64_t h = 0, int64_t w = 0, uint64_t seed = 0) {
  Config config = load_config(config_path(config_name));
  if (h > 0) {
    config.model.height = h;
    config.model.width = w;
  }
  torch::manual_seed(seed);
  SegNet net = create_net(config.model);
  net->eval();
  return net;
}

// Normalised-range random input for `net` (prior channel in 0..1).
inline torch::Tensor random_input(const SegNetImpl& net, int64_t n = 1, int64_t h = 0, int64_t w = 0) {
  const auto& s = net.input_spec();
  return torch::rand({n, s.channels, h > 0 ? h : s.height, w > 0 ? w : s.width}) * 2.0 - 1.0;
}

inline void write_raw(const std::string& path, const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kCPU, torch::kFloat).contiguous();
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(c.data_ptr()), static_cast<std::streamsize>(c.nbytes()));
}

// A checker exit of 77 (runtime not installed) or 127 (interpreter missing) skips the calling test.
inline void skip_if_checker_unavailable(const CommandResult& r, const std::string& what) {
  if (r.exit_code == 77 || r.exit_code == 127) {
    std::cout << "SKIPPED: " << what << " is not available: " << r.out << std::endl;
    std::exit(kSkipCode);
  }
}

}  // namespace pseg::test
