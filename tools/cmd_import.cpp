// portraitseg import: turn trained reference weights (ONNX, Keras HDF5) into a checkpoint. Logic lives in
// core/importer.
#include <cstdio>

#include "core/import/import_job.h"
#include "nets/registry.h"
#include "tools/command.h"

namespace pseg::cli {
namespace {

struct ImportArgs {
  ImportOptions options;
  bool json = false;
};

int run_import_cmd(const ImportArgs& a) {
  const ImportResult r = run_import(a.options);
  if (a.json) {
    print_line(to_json(r).dump());
    return 0;
  }
  std::printf("imported %s (%s) into %s: %lld layers, %lld tensors, %lld values (net has %lld parameters)\n",
              r.from.c_str(), r.format.c_str(), r.net.c_str(), static_cast<long long>(r.stats.layers),
              static_cast<long long>(r.stats.tensors), static_cast<long long>(r.stats.values),
              static_cast<long long>(r.parameters));
  std::printf("checkpoint   %s\n", r.out.c_str());
  return 0;
}

}  // namespace

void register_import(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<ImportArgs>();
  auto& o = args->options;
  auto* sub = add_command(app, "import");
  sub->add_option("--from", o.from, "weights file: " + importer_list())->required()->check(CLI::ExistingFile);
  sub->add_option("--net", o.net, "net the weights belong to: " + join_names(net_registry().names()))->required();
  sub->add_option("--set", o.overrides, "config value of the imported net: key.path=VALUE, e.g. model.decoder=bilinear");
  sub->add_option("--out", o.out, "checkpoint to write (.ckpt)")->required();
  sub->add_flag("--json", args->json, "print exactly one JSON object describing the result");
  add_runtime_options(sub, ctx);
  sub->callback([args, &ctx] { ctx.run = [args] { return run_import_cmd(*args); }; });
}

}  // namespace pseg::cli
