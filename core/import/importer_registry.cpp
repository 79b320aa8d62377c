#include "core/import/importer_registry.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

namespace pseg {

// Each importer file defines its entry; adding an importer = its file plus one line here.
ImporterEntry onnx_importer();
ImporterEntry keras_h5_importer();
ImporterEntry tflite_importer();

Registry<ImporterEntry>& importer_registry() {
  static Registry<ImporterEntry> registry("weight importer", {
                                                                 onnx_importer(),
                                                                 keras_h5_importer(),
                                                                 tflite_importer(),
                                                             });
  return registry;
}

std::string importer_list() {
  std::vector<std::string> items;
  for (const auto& e : importer_registry().entries()) items.push_back(e.name + " (" + join_names(e.extensions, " / ") + ")");
  return join_names(items);
}

const ImporterEntry& importer_for_file(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& e : importer_registry().entries())
    if (std::find(e.extensions.begin(), e.extensions.end(), ext) != e.extensions.end()) return e;
  throw std::invalid_argument("--from " + path + ": unknown weight format \"" + ext + "\" (known: " +
                              importer_list() + ")");
}

}  // namespace pseg
