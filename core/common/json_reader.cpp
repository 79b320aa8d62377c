#include "core/common/json_reader.h"

namespace pseg {

JsonReader::JsonReader(const nlohmann::json& j, std::string path) : j_(&j), path_(std::move(path)) {
  if (!j.is_object()) throw ConfigError(path_ + ": expected an object, got " + json_type_name(j));
}

std::string JsonReader::child_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

bool JsonReader::has(const std::string& key) const { return j_->contains(key) && !(*j_)[key].is_null(); }

void JsonReader::fail(const std::string& key, const std::string& message) const {
  throw ConfigError(child_path(key) + ": " + message);
}

void JsonReader::allow_only(const std::set<std::string>& allowed) const {
  for (const auto& item : j_->items()) {
    if (allowed.count(item.key())) continue;
    std::string known;
    for (const auto& k : allowed) known += (known.empty() ? "" : ", ") + k;
    fail(item.key(), "unknown key (allowed here: " + known + ")");
  }
}

const nlohmann::json& JsonReader::at(const std::string& key) const {
  if (!has(key)) fail(key, "missing required key");
  return (*j_)[key];
}

JsonReader JsonReader::object(const std::string& key) const {
  const auto& v = at(key);
  if (!v.is_object()) fail(key, "expected an object, got " + json_type_name(v));
  return JsonReader(v, child_path(key));
}

std::vector<JsonReader> JsonReader::array_of_objects(const std::string& key) const {
  const auto& v = at(key);
  if (!v.is_array()) fail(key, "expected an array of objects, got " + json_type_name(v));
  std::vector<JsonReader> out;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string p = child_path(key) + "[" + std::to_string(i) + "]";
    if (!v[i].is_object()) throw ConfigError(p + ": expected an object, got " + json_type_name(v[i]));
    out.emplace_back(v[i], p);
  }
  return out;
}

std::string JsonReader::get_string(const std::string& key, const std::optional<std::string>& fallback) const {
  if (!has(key)) {
    if (fallback) return *fallback;
    fail(key, "missing required key");
  }
  const auto& v = (*j_)[key];
  if (!v.is_string()) fail(key, "expected a string, got " + json_brief(v));
  return v.get<std::string>();
}

std::string JsonReader::get_choice(const std::string& key, const std::vector<std::string>& choices,
                                   const std::optional<std::string>& fallback) const {
  auto describe = [&] {
    std::string s;
    for (size_t i = 0; i < choices.size(); ++i) {
      if (i) s += (i + 1 == choices.size()) ? (choices.size() == 2 ? " or " : ", or ") : ", ";
      s += "\"" + choices[i] + "\"";
    }
    return s;
  };
  if (!has(key)) {
    if (fallback) return *fallback;
    fail(key, "missing required key (expected " + describe() + ")");
  }
  const auto& v = (*j_)[key];
  if (v.is_string())
    for (const auto& c : choices)
      if (v.get<std::string>() == c) return c;
  fail(key, "expected " + describe() + ", got " + json_brief(v));
}

bool JsonReader::get_bool(const std::string& key, const std::optional<bool>& fallback) const {
  if (!has(key)) {
    if (fallback) return *fallback;
    fail(key, "missing required key");
  }
  const auto& v = (*j_)[key];
  if (!v.is_boolean()) fail(key, "expected true or false, got " + json_brief(v));
  return v.get<bool>();
}

int64_t JsonReader::get_int(const std::string& key, const std::optional<int64_t>& fallback) const {
  if (!has(key)) {
    if (fallback) return *fallback;
    fail(key, "missing required key");
  }
  const auto& v = (*j_)[key];
  if (!v.is_number_integer()) fail(key, "expected an integer, got " + json_brief(v));
  return v.get<int64_t>();
}

double JsonReader::get_number(const std::string& key, const std::optional<double>& fallback) const {
  if (!has(key)) {
    if (fallback) return *fallback;
    fail(key, "missing required key");
  }
  const auto& v = (*j_)[key];
  if (!v.is_number()) fail(key, "expected a number, got " + json_brief(v));
  return v.get<double>();
}

std::vector<int64_t> JsonReader::get_int_array(const std::string& key, size_t size) const {
  const auto& v = at(key);
  bool ok = v.is_array() && (size == 0 || v.size() == size);
  if (ok)
    for (const auto& e : v) ok &= e.is_number_integer();
  if (!ok) fail(key, "expected an array of " + std::to_string(size) + " integers, got " + json_brief(v));
  return v.get<std::vector<int64_t>>();
}

std::vector<double> JsonReader::get_number_array(const std::string& key, const std::optional<std::vector<double>>& fallback,
                                                 size_t size) const {
  if (!has(key)) {
    if (fallback) return *fallback;
    fail(key, "missing required key");
  }
  const auto& v = (*j_)[key];
  bool ok = v.is_array() && (size == 0 || v.size() == size);
  if (ok)
    for (const auto& e : v) ok &= e.is_number();
  if (!ok)
    fail(key, "expected an array of " + (size ? std::to_string(size) + " " : std::string()) + "numbers, got " +
                  json_brief(v));
  return v.get<std::vector<double>>();
}

std::string json_brief(const nlohmann::json& v) {
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

std::string json_type_name(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::null: return "null";
    default: return "a number";
  }
}

}  // namespace pseg
