#pragma once
// core/import: weight importers (ONNX, Keras HDF5), their registry and the import job.
// The job behind `portraitseg import`: build the named net, load trained reference weights into it from an ONNX
// (.onnx) or Keras HDF5 (.h5) file, and write a normal checkpoint. The checkpoint's config names the net, its
// options and input size, with the net's own preprocessing (RGB/255 for the Keras-derived nets, as in the source
// models). Nothing is written unless every weight of the file found its place in the net.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/import/importer_registry.h"
#include "core/model_io/weight_copy.h"
#include "nets/segnet.h"

namespace pseg {

// The config of an imported net: {"model": {"net": NET, its option defaults, "input_size": native}} with the
// "key.path=VALUE" overrides applied. Throws std::invalid_argument (ConfigError) for an unknown net or bad override.
Config import_config(const std::string& net, const std::string& source_file, const std::vector<std::string>& overrides);

struct ImportedNet {
  SegNet net;  // eval mode, on the CPU
  std::string format;  // the importer (core/import/importer_registry.h)
  ImportStats stats;
};

// Builds config.model's net and loads the file's weights (errors: core/import/import_onnx.h, core/import/import_keras_h5.h).
ImportedNet import_weights(const std::string& from, const Config& config);

struct ImportOptions {
  std::string from;
  std::string net;
  std::vector<std::string> overrides;
  std::string out;  // checkpoint path
};

struct ImportResult {
  std::string from;
  std::string out;
  std::string net;
  std::string format;  // the importer (core/import/importer_registry.h)
  ImportStats stats;
  int64_t parameters = 0;  // values in the net's parameters
};

ImportResult run_import(const ImportOptions& options);

nlohmann::json to_json(const ImportResult& r);

}  // namespace pseg
