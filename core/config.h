#pragma once
// The typed configuration, parsed once from JSON (with --set overrides applied first) and validated
// before any work starts. Nothing downstream reads raw JSON.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/json_reader.h"
#include "nets/net_options.h"

namespace pseg {

struct Config {
  std::string source;       // file the config came from ("" when built in code)
  std::string description;  // free text
  ModelConfig model;
  nlohmann::json resolved;  // the JSON after overrides, as recorded in run directories and checkpoints
};

// Reads a JSON file (error names the file and the parse position), applies overrides, parses.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});
Config parse_config(const nlohmann::json& j, const std::string& source = "");

// Parses the `model` section against the registry's option schema of the named net.
ModelConfig parse_model_config(const JsonReader& model);

// Applies one "key.path=VALUE" assignment (array elements as key[0]); VALUE is JSON when it parses, else a string.
void apply_override(nlohmann::json& j, const std::string& assignment);

nlohmann::json read_json_file(const std::string& path);

}  // namespace pseg
