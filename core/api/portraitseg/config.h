#pragma once
// A training configuration (docs/config.md): read from a JSON file or text, changed with "key.path=VALUE"
// assignments like the CLI's --set, and validated at every step, so a Config that exists is a valid one.
#include <memory>
#include <string>
#include <vector>

#include "portraitseg/errors.h"

namespace portraitseg {

class Config {
 public:
  // Throws ConfigError naming the file (and the key at fault) when it cannot be read, is not JSON, or is not a
  // valid configuration after the overrides.
  static Config load(const std::string& path, const std::vector<std::string>& overrides = {});
  // `json`: the configuration as JSON text; `source` names it in error messages.
  static Config parse(const std::string& json, const std::string& source = "config");

  // Applies one "key.path=VALUE" assignment (VALUE is JSON when it parses, else a string) and validates the result;
  // on a ConfigError the Config is unchanged.
  Config& set(const std::string& assignment);

  // The resolved configuration as JSON text (what run directories and checkpoints record).
  std::string json() const;
  std::string net() const;
  std::string source() const;

 private:
  friend struct ConfigAccess;
  struct Impl;
  explicit Config(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace portraitseg
