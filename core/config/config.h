#pragma once
// core/config: the typed configuration and its parser (sections, --set overrides, data specs).
// The typed configuration, parsed once from JSON (with --set overrides applied first) and validated
// before any work starts. Nothing downstream reads raw JSON.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/common/json_reader.h"
#include "core/optim/optim_config.h"
#include "core/optim/schedule_config.h"
#include "core/config/train_config.h"
#include "data/augment_config.h"
#include "data/data_config.h"
#include "losses/loss_config.h"
#include "nets/net_options.h"

namespace pseg {

struct Config {
  std::string source;       // file the config came from ("" when built in code)
  std::string description;  // free text
  ModelConfig model;
  DataConfig data;          // empty train/test when the config has no data section
  AugmentConfig augment;    // recipe "none" when the config has no augment section
  LossConfig loss;          // the training sections (core/config/config_training.cpp); defaults when absent
  OptimConfig optim;
  ScheduleConfig schedule;
  TrainConfig train;
  nlohmann::json resolved;  // the JSON after overrides, as recorded in run directories and checkpoints
};

// Reads a JSON file (error names the file and the parse position), applies overrides, parses.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});
Config parse_config(const nlohmann::json& j, const std::string& source = "");

// Parses the `model` section against the registry's option schema of the named net.
ModelConfig parse_model_config(const JsonReader& model);

// Parses the `data` section (core/config/config_data.cpp).
DataConfig parse_data_config(const JsonReader& data);

// Parses the `augment` section (core/config/config_augment.cpp).
AugmentConfig parse_augment_config(const JsonReader& augment);

// Applies one "key.path=VALUE" assignment (array elements as key[0]); VALUE is JSON when it parses, else a string.
void apply_override(nlohmann::json& j, const std::string& assignment);

nlohmann::json read_json_file(const std::string& path);
// JSON text (comments allowed); ConfigError "<source>: invalid JSON at byte N".
nlohmann::json parse_json_text(const std::string& text, const std::string& source);
// parse_config with `source` prefixed to configuration errors, as load_config reports them.
Config parse_named_config(const nlohmann::json& j, const std::string& source);

// The override that sets the net's input size: "model.input_size=[H,W]".
std::string input_size_override(int64_t height, int64_t width);

// A stable fingerprint of a resolved config: FNV-1a (64 bit) over its canonical JSON text (keys sorted, no
// spaces), as 16 hex digits. The same in every build, unlike std::hash.
std::string config_hash(const nlohmann::json& resolved);

}  // namespace pseg
