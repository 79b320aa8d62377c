#include "core/import/import_job.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <filesystem>
#include <variant>

#include "core/model_io/checkpoint.h"
#include "core/common/errors.h"
#include "core/import/importer_registry.h"
#include "nets/registry.h"

namespace pseg {
namespace {

nlohmann::json option_json(const OptionValue& v) {
  return std::visit([](const auto& x) { return nlohmann::json(x); }, v);
}

}  // namespace

Config import_config(const std::string& net, const std::string& source_file,
                     const std::vector<std::string>& overrides) {
  const NetEntry* entry = &as_config_error([&]() -> const NetEntry& { return net_registry().at(net, "--net"); });
  nlohmann::json j = {
      {"description", "Imported from " + std::filesystem::path(source_file).filename().string() + " by portraitseg import"},
      {"model", {{"net", net}}}};
  for (const auto& o : overrides) apply_override(j, o);
  if (j["model"].value("net", std::string()) != net)
    throw ConfigError("--set model.net: conflicts with --net " + net);
  // Record every option and the input size, so the checkpoint says exactly what was built.
  for (const auto& spec : entry->options)
    if (!j["model"].contains(spec.key)) j["model"][spec.key] = option_json(spec.default_value);
  if (!j["model"].contains("input_size")) {
    const SegNet probe = create_net(parse_config(j).model);
    j["model"]["input_size"] = {probe->input_spec().height, probe->input_spec().width};
  }
  return parse_config(j);
}

ImportedNet import_weights(const std::string& from, const Config& config) {
  ImportedNet r;
  const ImporterEntry& importer = importer_for_file(from);
  r.format = importer.name;
  r.net = create_net(config.model);
  r.stats = importer.load(from, *r.net);
  r.net->eval();
  return r;
}

ImportResult run_import(const ImportOptions& options) {
  const Config config = import_config(options.net, options.from, options.overrides);
  ImportedNet imported = import_weights(options.from, config);
  save_checkpoint(options.out, config, *imported.net, TrainingState{}, nullptr);
  ImportResult r;
  r.from = options.from;
  r.out = options.out;
  r.net = config.model.net;
  r.format = imported.format;
  r.stats = imported.stats;
  for (const auto& p : imported.net->parameters()) r.parameters += p.numel();
  spdlog::info("imported {} ({}): {} layers, {} tensors, {} values -> {}", r.from, r.format,
               r.stats.layers, r.stats.tensors, r.stats.values, r.out);
  return r;
}

nlohmann::json to_json(const ImportResult& r) {
  return {{"from", r.from},
          {"format", r.format},
          {"net", r.net},
          {"out", r.out},
          {"layers", r.stats.layers},
          {"tensors", r.stats.tensors},
          {"values", r.stats.values},
          {"parameters", r.parameters}};
}

}  // namespace pseg
