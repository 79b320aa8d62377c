// portraitseg info: build a net from a config or by name, run one forward pass, report shapes and counts.
#include <cstdio>
#include <iostream>

#include "core/common/errors.h"
#include "core/info/info_job.h"
#include "core/common/registry.h"
#include "nets/registry.h"
#include "tools/command.h"

namespace pseg::cli {
namespace {

struct InfoArgs {
  std::string config;
  std::string net;
  std::vector<std::string> sets;
  bool json = false;
};

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "x" : "") + std::to_string(s[i]);
  return out;
}

std::string grouped(int64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

int run_info(const InfoArgs& a, const Context& ctx) {
  const NetInfo info = pseg::run_info({a.config, a.net, a.sets, ctx.runtime.device});
  if (a.json) {
    print_line(to_json(info).dump());
    return 0;
  }
  std::printf("net            %s\n", info.description.c_str());
  std::printf("input          %s\n", shape_str(info.input_shape).c_str());
  for (size_t i = 0; i < info.output_shapes.size(); ++i)
    std::printf("%-14s %s\n", i == 0 ? "mask logits" : "boundary", shape_str(info.output_shapes[i]).c_str());
  std::printf("params         %s\n", grouped(info.params).c_str());
  std::printf("params_deploy  %s\n", grouped(info.params_deploy).c_str());
  std::printf("BN buffers     %s\n", grouped(info.buffers).c_str());
  std::printf("MACs           %s (%.3f G)\n", grouped(info.macs).c_str(), static_cast<double>(info.macs) / 1e9);
  return 0;
}

}  // namespace

void register_info(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<InfoArgs>();
  auto* sub = add_command(app, "info");
  auto* cfg = sub->add_option("--config", args->config, "JSON config whose model section defines the net")
                  ->check(CLI::ExistingFile);
  auto* net = sub->add_option("--net", args->net, "net name (" + join_names(net_registry().names()) + ")");
  cfg->excludes(net);
  sub->add_option("--set", args->sets, "override a value: key.path=VALUE (with --net, model. is implied)");
  sub->add_flag("--json", args->json, "print exactly one JSON object");
  add_runtime_options(sub, ctx);
  sub->callback([args, &ctx, sub] {
    if (args->config.empty() && args->net.empty())
      throw CLI::ValidationError("info", "one of --config or --net is required");
    ctx.run = [args, &ctx] { return run_info(*args, ctx); };
  });
}

}  // namespace pseg::cli
