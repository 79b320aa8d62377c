#include "core/infer/engine_registry.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

namespace pseg {
namespace {

bool runs_precision(const EngineEntry& e, const std::string& precision) {
  return std::find(e.precisions.begin(), e.precisions.end(), precision) != e.precisions.end();
}

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

std::vector<const EngineEntry*> engines_with_extension(const std::string& ext) {
  std::vector<const EngineEntry*> out;
  for (const auto& e : engine_registry().entries())
    if (e.extension == ext) out.push_back(&e);
  return out;
}

// The file's precision matters only where engines share its extension, and only once the file exists.
std::string file_precision(const std::vector<const EngineEntry*>& candidates, const std::string& path) {
  if (candidates.size() < 2 || !candidates[0]->read_meta || !std::filesystem::is_regular_file(path)) return "fp32";
  return candidates[0]->read_meta(path).precision;
}

}  // namespace

Registry<EngineEntry>& engine_registry() {
  static Registry<EngineEntry> registry("inference engine", builtin_engines());
  return registry;
}

bool has_engine_for(const std::string& path) {
  try {
    if (!std::filesystem::is_regular_file(path)) return false;
    const EngineEntry& e = engine_for_file(path);
    return runs_precision(e, e.read_meta ? e.read_meta(path).precision : "fp32");
  } catch (const std::exception&) {
    return false;
  }
}

const EngineEntry& engine_for_file(const std::string& path, const std::string& engine) {
  if (engine.empty()) return *engines_for_file(path).front();
  const std::string ext = lower_extension(path);
  const EngineEntry& chosen = engine_registry().at(engine, "engine");
  if (chosen.extension != ext)
    throw std::invalid_argument("engine " + engine + " opens " + chosen.extension + " files, not " + path);
  const std::string p = file_precision(engines_with_extension(ext), path);
  if (!runs_precision(chosen, p))
    throw std::invalid_argument("engine " + engine + " cannot run " + p + " models (" + path + "); it runs " +
                                join_names(chosen.precisions));
  return chosen;
}

std::vector<const EngineEntry*> engines_for_file(const std::string& path) {
  const std::string ext = lower_extension(path);
  const std::vector<const EngineEntry*> candidates = engines_with_extension(ext);
  if (candidates.empty()) {
    std::vector<std::string> types;
    for (const auto& e : engine_registry().entries()) types.push_back(e.extension + " (" + e.name + ")");
    throw std::invalid_argument(path + ": unknown model type \"" + ext + "\": expected " + join_names(types, ", "));
  }
  const std::string p = file_precision(candidates, path);
  std::vector<const EngineEntry*> out;
  for (const EngineEntry* e : candidates)
    if (runs_precision(*e, p)) out.push_back(e);
  // No engine runs the precision: the first one opening the extension says so when it opens the file.
  if (out.empty()) out.push_back(candidates.front());
  return out;
}

std::vector<std::string> engine_descriptions() {
  std::vector<std::string> items;
  for (const auto& e : engine_registry().entries()) items.push_back(e.name + " (" + e.extension + ")");
  return items;
}

std::string engine_list() { return join_names(engine_descriptions()); }

}  // namespace pseg
