#include "core/importer.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <variant>

#include "core/checkpoint.h"
#include "core/errors.h"
#include "core/import_keras_h5.h"
#include "core/import_onnx.h"
#include "nets/registry.h"

namespace pseg {
namespace {

nlohmann::json option_json(const OptionValue& v) {
  return std::visit([](const auto& x) { return nlohmann::json(x); }, v);
}

}  // namespace

ImportFormat import_format_of(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".onnx") return ImportFormat::Onnx;
  if (ext == ".h5" || ext == ".hdf5") return ImportFormat::KerasH5;
  throw std::invalid_argument("--from " + path + ": unknown weight format \"" + ext +
                              "\" (expected .onnx or a Keras .h5 / .hdf5 file)");
}

std::string to_string(ImportFormat f) { return f == ImportFormat::Onnx ? "onnx" : "keras_h5"; }

Config import_config(const std::string& net, const std::string& source_file,
                     const std::vector<std::string>& overrides) {
  const NetEntry* entry = find_net(net);
  if (!entry) {
    std::string known;
    for (const auto& n : net_names()) known += (known.empty() ? "" : ", ") + n;
    throw ConfigError("--net: unknown net \"" + net + "\" (known: " + known + ")");
  }
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
  r.format = import_format_of(from);
  r.net = create_net(config.model);
  r.stats = r.format == ImportFormat::Onnx ? import_onnx_weights(from, *r.net) : import_keras_h5_weights(from, *r.net);
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
  spdlog::info("imported {} ({}): {} layers, {} tensors, {} values -> {}", r.from, to_string(r.format),
               r.stats.layers, r.stats.tensors, r.stats.values, r.out);
  return r;
}

nlohmann::json to_json(const ImportResult& r) {
  return {{"from", r.from},
          {"format", to_string(r.format)},
          {"net", r.net},
          {"out", r.out},
          {"layers", r.stats.layers},
          {"tensors", r.stats.tensors},
          {"values", r.stats.values},
          {"parameters", r.parameters}};
}

}  // namespace pseg
