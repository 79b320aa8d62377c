#pragma once
// Typed net options and the schema each net declares for them. No torch here: config parsing uses it.
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace pseg {

using OptionValue = std::variant<bool, int64_t, std::string, double>;

// One option a net accepts in the `model` section of a config.
struct OptionSpec {
  enum class Kind { Bool, Int, Choice, Number };
  std::string key;
  Kind kind = Kind::Bool;
  OptionValue default_value;
  std::vector<std::string> choices;  // Kind::Choice
  std::vector<int64_t> allowed_ints; // Kind::Int; empty = any
  std::string help;
  double min_number = 0;             // Kind::Number: the interval (min_number, max_number]
  double max_number = 0;
};

// Values for a net's options, already validated against its OptionSpecs.
class NetOptions {
 public:
  void set(const std::string& key, OptionValue v) { values_[key] = std::move(v); }
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  bool get_bool(const std::string& key) const;
  int64_t get_int(const std::string& key) const;
  double get_number(const std::string& key) const;
  const std::string& get_string(const std::string& key) const;
  const std::map<std::string, OptionValue>& values() const { return values_; }

 private:
  const OptionValue& at(const std::string& key) const;
  std::map<std::string, OptionValue> values_;
};

// The `model` section of a config, parsed.
struct ModelConfig {
  std::string net;
  NetOptions options;
  int64_t height = 0;  // 0 = the net's native size
  int64_t width = 0;
};

std::string option_value_to_string(const OptionValue& v);

}  // namespace pseg
