#pragma once
// Shared by the trainer tests: a tiny synthetic portrait dataset and a small training config around it.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "data/synth.h"

namespace pseg::test {

// 24 rendered 64x64 portraits: 18 train and 6 test pairs in the list layout under `dir`.
inline void write_tiny_dataset(const std::filesystem::path& dir) {
  SynthOptions o;
  o.out = dir;
  o.count = 24;
  o.width = 64;
  o.height = 64;
  o.seed = 7;
  o.test_fraction = 0.25;
  write_synth_dataset(o);
}

inline nlohmann::json list_source(const std::filesystem::path& data_dir, const std::string& list) {
  return {{"format", "list"}, {"root", data_dir.string()}, {"list", list}, {"mask_rule", "==1"}};
}

// A fast, single-threaded, deterministic run: batch 4, no loader threads, a constant learning rate.
inline nlohmann::json tiny_train_config(const nlohmann::json& model, const std::filesystem::path& data_dir,
                                        const std::filesystem::path& run_dir) {
  return {{"model", model},
          {"data",
           {{"train", nlohmann::json::array({list_source(data_dir, "train.txt")})},
            {"test", nlohmann::json::array({list_source(data_dir, "test.txt")})}}},
          {"augment", {{"recipe", "none"}}},
          {"loss", {{"recipe", "bce"}}},
          {"optim", {{"name", "adam"}, {"lr", 1e-3}}},
          {"train",
           {{"epochs", 1},
            {"batch_size", 4},
            {"seed", 3},
            {"threads", 1},
            {"workers", 0},
            {"log_interval_steps", 1},
            {"run_dir", run_dir.string()}}}};
}

}  // namespace pseg::test
