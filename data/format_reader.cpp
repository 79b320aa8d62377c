#include "data/format_reader.h"

#include <stdexcept>

namespace pseg {

// Each format file defines its entry; adding a format = its file plus one line here.
FormatEntry aisegment_format();
FormatEntry eg1800_format();
FormatEntry folders_format();
FormatEntry list_format();
FormatEntry supervisely_format();
FormatEntry voc_format();

namespace {

std::vector<FormatEntry>& entries() {
  static std::vector<FormatEntry> list = {aisegment_format(), eg1800_format(), folders_format(),
                                          list_format(),      supervisely_format(), voc_format()};
  return list;
}

}  // namespace

const std::vector<FormatEntry>& format_registry() { return entries(); }

void register_format(FormatEntry entry) {
  if (find_format(entry.name)) throw std::invalid_argument("dataset format \"" + entry.name + "\" is already registered");
  entries().push_back(std::move(entry));
}

const FormatEntry* find_format(const std::string& name) {
  for (const auto& e : entries())
    if (e.name == name) return &e;
  return nullptr;
}

std::vector<std::string> format_names() {
  std::vector<std::string> names;
  for (const auto& e : entries()) names.push_back(e.name);
  return names;
}

std::unique_ptr<FormatReader> make_format_reader(const SourceConfig& config) {
  const FormatEntry* entry = find_format(config.format);
  if (!entry) {
    std::string known;
    for (const auto& n : format_names()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown dataset format \"" + config.format + "\" (known: " + known + ")");
  }
  return entry->create(config);
}

std::string describe_source(const SourceConfig& c) {
  return c.format + " " + (c.format == "folders" ? c.images : c.root);
}

}  // namespace pseg
