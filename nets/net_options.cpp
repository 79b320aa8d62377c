#include "nets/net_options.h"

#include <sstream>
#include <stdexcept>

namespace pseg {

const OptionValue& NetOptions::at(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw std::invalid_argument("net option '" + key + "' is not set");
  return it->second;
}

bool NetOptions::get_bool(const std::string& key) const {
  const auto& v = at(key);
  if (!std::holds_alternative<bool>(v)) throw std::invalid_argument("net option '" + key + "' is not a boolean");
  return std::get<bool>(v);
}

int64_t NetOptions::get_int(const std::string& key) const {
  const auto& v = at(key);
  if (!std::holds_alternative<int64_t>(v)) throw std::invalid_argument("net option '" + key + "' is not an integer");
  return std::get<int64_t>(v);
}

double NetOptions::get_number(const std::string& key) const {
  const auto& v = at(key);
  if (!std::holds_alternative<double>(v)) throw std::invalid_argument("net option '" + key + "' is not a number");
  return std::get<double>(v);
}

const std::string& NetOptions::get_string(const std::string& key) const {
  const auto& v = at(key);
  if (!std::holds_alternative<std::string>(v)) throw std::invalid_argument("net option '" + key + "' is not a string");
  return std::get<std::string>(v);
}

std::string option_value_to_string(const OptionValue& v) {
  if (std::holds_alternative<bool>(v)) return std::get<bool>(v) ? "true" : "false";
  if (std::holds_alternative<int64_t>(v)) return std::to_string(std::get<int64_t>(v));
  if (std::holds_alternative<double>(v)) {
    std::ostringstream s;
    s << std::get<double>(v);
    return s.str();
  }
  return "\"" + std::get<std::string>(v) + "\"";
}

}  // namespace pseg
