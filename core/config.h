#pragma once
// The typed configuration, parsed once from JSON (with --set overrides applied first) and validated
// before any work starts. Nothing downstream reads raw JSON.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/json_reader.h"
#include "core/optim_config.h"
#include "core/schedule_config.h"
#include "core/train_config.h"
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
  LossConfig loss;          // the training sections (core/config_training.cpp); defaults when absent
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

// Parses the `data` section (core/config_data.cpp).
DataConfig parse_data_config(const JsonReader& data);

// Parses the `augment` section (core/config_augment.cpp).
AugmentConfig parse_augment_config(const JsonReader& augment);

// Applies one "key.path=VALUE" assignment (array elements as key[0]); VALUE is JSON when it parses, else a string.
void apply_override(nlohmann::json& j, const std::string& assignment);

nlohmann::json read_json_file(const std::string& path);

}  // namespace pseg
