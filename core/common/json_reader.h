#pragma once
// Reads a JSON object while tracking its key path, so every error names where it happened
// ("data.train[1].mask_rule: expected one of ..."). Used by config parsing and the registries' option schemas.
#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/common/errors.h"

namespace pseg {

class JsonReader {
 public:
  JsonReader(const nlohmann::json& j, std::string path);

  const std::string& path() const { return path_; }
  const nlohmann::json& json() const { return *j_; }
  std::string child_path(const std::string& key) const;
  bool has(const std::string& key) const;

  // Rejects keys not in `allowed`, naming the first unknown one.
  void allow_only(const std::set<std::string>& allowed) const;

  JsonReader object(const std::string& key) const;  // required object
  std::vector<JsonReader> array_of_objects(const std::string& key) const;

  std::string get_string(const std::string& key, const std::optional<std::string>& fallback = std::nullopt) const;
  std::string get_choice(const std::string& key, const std::vector<std::string>& choices,
                         const std::optional<std::string>& fallback = std::nullopt) const;
  bool get_bool(const std::string& key, const std::optional<bool>& fallback = std::nullopt) const;
  int64_t get_int(const std::string& key, const std::optional<int64_t>& fallback = std::nullopt) const;
  double get_number(const std::string& key, const std::optional<double>& fallback = std::nullopt) const;
  std::vector<int64_t> get_int_array(const std::string& key, size_t size) const;
  std::vector<double> get_number_array(const std::string& key, const std::optional<std::vector<double>>& fallback,
                                       size_t size = 0) const;

  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

 private:
  const nlohmann::json& at(const std::string& key) const;
  const nlohmann::json* j_;
  std::string path_;
};

// Runs `check`, turning a library's std::invalid_argument ("section.key: ...") into a ConfigError.
template <typename F>
decltype(auto) as_config_error(F&& check) {
  try {
    return check();
  } catch (const ConfigError&) {
    throw;
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
}

// Short human form of a JSON value for error messages: "foo" for strings, the dump otherwise.
std::string json_brief(const nlohmann::json& v);
// "a JSON string", "a number", ... for "expected X, got <type>" messages.
std::string json_type_name(const nlohmann::json& v);

}  // namespace pseg
