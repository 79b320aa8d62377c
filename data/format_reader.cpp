#include "data/format_reader.h"

#include <functional>
#include <map>
#include <stdexcept>

namespace pseg {
namespace {

using Factory = std::function<std::unique_ptr<FormatReader>(const SourceConfig&)>;

const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> f = {
      {"aisegment", make_aisegment_reader}, {"eg1800", make_eg1800_reader}, {"folders", make_folders_reader},
      {"list", make_list_reader},           {"supervisely", make_supervisely_reader}, {"voc", make_voc_reader},
  };
  return f;
}

}  // namespace

const std::vector<std::string>& format_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& [name, f] : factories()) n.push_back(name);
    return n;
  }();
  return names;
}

std::unique_ptr<FormatReader> make_format_reader(const SourceConfig& config) {
  const auto it = factories().find(config.format);
  if (it == factories().end()) {
    std::string known;
    for (const auto& n : format_names()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown dataset format \"" + config.format + "\" (known: " + known + ")");
  }
  return it->second(config);
}

std::string describe_source(const SourceConfig& c) {
  return c.format + " " + (c.format == "folders" ? c.images : c.root);
}

}  // namespace pseg
