#include "core/infer/engine_registry.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

namespace pseg {

// Each engine file defines its entry; adding an engine = its file plus one line here.
EngineEntry libtorch_engine();
EngineEntry torchscript_engine();
EngineEntry opencv_engine();

Registry<EngineEntry>& engine_registry() {
  static Registry<EngineEntry> registry("inference engine", {
                                                                libtorch_engine(),
                                                                torchscript_engine(),
                                                                opencv_engine(),
                                                            });
  return registry;
}

const EngineEntry& engine_for_file(const std::string& path, const std::string& engine) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!engine.empty()) {
    const EngineEntry& chosen = engine_registry().at(engine, "engine");
    if (chosen.extension != ext)
      throw std::invalid_argument("engine " + engine + " opens " + chosen.extension + " files, not " + path);
    return chosen;
  }
  for (const auto& e : engine_registry().entries())
    if (e.extension == ext) return e;
  std::vector<std::string> types;
  for (const auto& e : engine_registry().entries()) types.push_back(e.extension + " (" + e.name + ")");
  throw std::invalid_argument(path + ": unknown model type \"" + ext + "\": expected " + join_names(types, ", "));
}

std::vector<std::string> engine_descriptions() {
  std::vector<std::string> items;
  for (const auto& e : engine_registry().entries()) items.push_back(e.name + " (" + e.extension + ")");
  return items;
}

std::string engine_list() { return join_names(engine_descriptions()); }

}  // namespace pseg
