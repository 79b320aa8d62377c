#include "core/config/config.h"

#include <cstdio>

#include <fstream>
#include <iterator>
#include <sstream>

#include "core/config/config_training.h"
#include "nets/registry.h"

namespace pseg {
namespace {

OptionValue parse_option(const JsonReader& r, const OptionSpec& spec) {
  switch (spec.kind) {
    case OptionSpec::Kind::Bool:
      return r.get_bool(spec.key, std::get<bool>(spec.default_value));
    case OptionSpec::Kind::Choice:
      return r.get_choice(spec.key, spec.choices, std::get<std::string>(spec.default_value));
    case OptionSpec::Kind::Int: {
      const int64_t v = r.get_int(spec.key, std::get<int64_t>(spec.default_value));
      if (!spec.allowed_ints.empty() &&
          std::find(spec.allowed_ints.begin(), spec.allowed_ints.end(), v) == spec.allowed_ints.end()) {
        std::string s;
        for (size_t i = 0; i < spec.allowed_ints.size(); ++i)
          s += (i ? (i + 1 == spec.allowed_ints.size() ? " or " : ", ") : "") + std::to_string(spec.allowed_ints[i]);
        r.fail(spec.key, "expected " + s + ", got " + std::to_string(v));
      }
      return v;
    }
    case OptionSpec::Kind::Number: {
      const double v = r.get_number(spec.key, std::get<double>(spec.default_value));
      if (!(v > spec.min_number && v <= spec.max_number))
        r.fail(spec.key, "expected a number in (" + option_value_to_string(spec.min_number) + ", " +
                             option_value_to_string(spec.max_number) + "], got " + option_value_to_string(v));
      return v;
    }
  }
  r.fail(spec.key, "unsupported option kind");
}

}  // namespace

ModelConfig parse_model_config(const JsonReader& r) {
  ModelConfig m;
  m.net = r.get_string("net");
  const NetEntry* entry =
      &as_config_error([&]() -> const NetEntry& { return net_registry().at(m.net, r.child_path("net")); });

  std::set<std::string> allowed = {"net", "input_size"};
  for (const auto& spec : entry->options) allowed.insert(spec.key);
  r.allow_only(allowed);

  for (const auto& spec : entry->options) m.options.set(spec.key, parse_option(r, spec));
  if (r.has("input_size")) {
    const auto hw = r.get_int_array("input_size", 2);
    if (hw[0] <= 0 || hw[1] <= 0) r.fail("input_size", "expected two positive integers [height, width]");
    m.height = hw[0];
    m.width = hw[1];
  }
  return m;
}

Config parse_config(const nlohmann::json& j, const std::string& source) {
  const JsonReader root(j, "");
  root.allow_only({"description", "model", "data", "augment", "loss", "optim", "schedule", "train"});
  Config c;
  c.source = source;
  c.description = root.get_string("description", std::string());
  c.model = parse_model_config(root.object("model"));
  if (root.has("data")) c.data = parse_data_config(root.object("data"));
  if (root.has("augment")) c.augment = parse_augment_config(root.object("augment"));
  parse_training_sections(root, c);
  c.resolved = j;
  return c;
}

nlohmann::json parse_json_text(const std::string& text, const std::string& source) {
  try {
    return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError(source + ": invalid JSON at byte " + std::to_string(e.byte));
  }
}

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open file");
  return parse_json_text(std::string(std::istreambuf_iterator<char>(in), {}), path);
}

Config parse_named_config(const nlohmann::json& j, const std::string& source) {
  try {
    return parse_config(j, source);
  } catch (const ConfigError& e) {
    throw ConfigError(source + ": " + e.what());
  }
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  nlohmann::json j = read_json_file(path);
  for (const auto& o : overrides) apply_override(j, o);
  return parse_named_config(j, path);
}

void apply_override(nlohmann::json& j, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("--set " + assignment + ": expected key.path=VALUE");
  const std::string key = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) value = text;

  nlohmann::json* node = &j;
  std::string walked;
  size_t pos = 0;
  while (pos < key.size()) {
    if (key[pos] == '[') {
      const auto close = key.find(']', pos);
      if (close == std::string::npos) throw ConfigError("--set " + key + ": unbalanced '['");
      const std::string idx_text = key.substr(pos + 1, close - pos - 1);
      if (idx_text.empty() || idx_text.find_first_not_of("0123456789") != std::string::npos)
        throw ConfigError("--set " + key + ": array index must be a non-negative integer");
      const size_t idx = std::stoul(idx_text);
      if (!node->is_array() || idx >= node->size())
        throw ConfigError("--set " + key + ": " + (walked.empty() ? "<root>" : walked) + " has no element " + idx_text);
      node = &(*node)[idx];
      walked += "[" + idx_text + "]";
      pos = close + 1;
      if (pos < key.size() && key[pos] == '.') ++pos;
      continue;
    }
    auto end = key.find_first_of(".[", pos);
    if (end == std::string::npos) end = key.size();
    const std::string part = key.substr(pos, end - pos);
    if (part.empty()) throw ConfigError("--set " + key + ": empty key segment");
    if (node->is_null()) *node = nlohmann::json::object();
    if (!node->is_object())
      throw ConfigError("--set " + key + ": " + (walked.empty() ? "<root>" : walked) + " is not an object");
    node = &(*node)[part];
    walked += (walked.empty() ? "" : ".") + part;
    pos = end;
    if (pos < key.size() && key[pos] == '.') ++pos;
  }
  *node = value;
}

std::string input_size_override(int64_t height, int64_t width) {
  return "model.input_size=[" + std::to_string(height) + "," + std::to_string(width) + "]";
}

std::string config_hash(const nlohmann::json& resolved) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a offset basis
  for (const unsigned char c : resolved.dump()) {
    h ^= c;
    h *= 1099511628211ull;  // FNV prime
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace pseg
