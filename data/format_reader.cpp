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

Registry<FormatEntry>& format_registry() {
  static Registry<FormatEntry> registry("dataset format", {aisegment_format(), eg1800_format(), folders_format(),
                                                           list_format(), supervisely_format(), voc_format()});
  return registry;
}

std::unique_ptr<FormatReader> make_format_reader(const SourceConfig& config) {
  return format_registry().at(config.format, "format").create(config);
}

std::string describe_source(const SourceConfig& c) {
  return c.format + " " + (c.format == "folders" ? c.images : c.root);
}

}  // namespace pseg
