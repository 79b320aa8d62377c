#include "core/config/data_spec.h"

#include <nlohmann/json.hpp>

#include "core/config/config.h"
#include "core/common/errors.h"

namespace pseg {
namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t comma = s.find(',', start);
    parts.push_back(s.substr(start, comma - start));
    if (comma == std::string::npos) return parts;
    start = comma + 1;
  }
}

nlohmann::json source_json(const std::string& spec) {
  const size_t colon = spec.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size())
    throw ConfigError("--data " + spec + ": expected FORMAT:PATH[,KEY=VALUE]... (e.g. voc:DIR)");
  const std::string format = spec.substr(0, colon);
  nlohmann::json j = {{"format", format}};
  std::vector<std::string> paths;
  for (const auto& part : split_commas(spec.substr(colon + 1))) {
    const size_t eq = part.find('=');
    if (eq == std::string::npos) {
      paths.push_back(part);
      continue;
    }
    const std::string key = part.substr(0, eq), text = part.substr(eq + 1);
    if (key.empty()) throw ConfigError("--data " + spec + ": empty key in \"" + part + "\"");
    nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    j[key] = value.is_discarded() ? nlohmann::json(text) : value;
  }
  const bool folders = format == "folders";
  const size_t wanted = folders ? 2 : 1;
  if (paths.size() != wanted || paths.front().empty() || paths.back().empty())
    throw ConfigError("--data " + spec + ": " +
                      (folders ? "expected folders:IMAGES_DIR,MASKS_DIR" : "expected " + format + ":ROOT_DIR"));
  if (folders) {
    j["images"] = paths[0];
    j["masks"] = paths[1];
  } else {
    j["root"] = paths[0];
  }
  return j;
}

}  // namespace

DataConfig parse_data_specs(const std::vector<std::string>& specs) {
  if (specs.empty()) throw ConfigError("--data: no dataset given");
  DataConfig config;
  for (const auto& spec : specs) {
    const nlohmann::json data = {{"test", nlohmann::json::array({source_json(spec)})}};
    try {
      config.test.push_back(parse_data_config(JsonReader(data, "")).test.front());
    } catch (const ConfigError& e) {
      // "test[0].class: ..." -> "class: ...": the spec is the user's view of the source.
      std::string what = e.what();
      const std::string prefix = "test[0].";
      if (what.rfind(prefix, 0) == 0) what = what.substr(prefix.size());
      throw ConfigError("--data " + spec + ": " + what);
    }
  }
  return config;
}

}  // namespace pseg
