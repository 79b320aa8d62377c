#pragma once
// The inference engines a Predictor can run on, one file each (core/infer/predictor_<engine>.cpp): which model
// file each opens, and how. open_predictor() picks the engine by the file's extension.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/common/registry.h"
#include "core/infer/predictor.h"

namespace pseg {

struct EngineEntry {
  std::string name;
  std::string summary;
  std::string extension;      // the model file it opens: ".ckpt", ".pt", ".onnx" (lower case)
  std::string export_format;  // the `export --format` writing such files; "" for checkpoints
  bool fixed_batch = false;   // runs only the exported batch unless the file was exported with --dynamic-batch
  // Throws std::runtime_error naming the file when it cannot be read as this engine's model.
  std::function<std::unique_ptr<Predictor>(const std::string& path, const PredictorOptions&)> open;
  std::vector<std::string> precisions = {"fp32"};  // the ModelMeta::precision values it runs
  // The file's metadata without opening the model; needed where engines share an extension.
  std::function<ModelMeta(const std::string& path)> read_meta;
};

Registry<EngineEntry>& engine_registry();

// The engines a binary is built with, in the order engine_for_file() prefers them. Defined once per binary at link
// time: core/infer/builtin_engines.cpp (every engine) for the library, the tests and portraitseg-torch;
// tools/launcher_engines.cpp (OpenCV DNN alone) for the torch-free launcher.
std::vector<EngineEntry> builtin_engines();

// Whether an engine of this binary opens `path`, an existing file, and runs its precision. Never throws: the
// launcher asks it to decide whether it can run a command without LibTorch.
bool has_engine_for(const std::string& path);

// The engine opening files with `path`'s extension (the first registered that runs the file's precision), or the
// one named `engine`, checked to open such files. Throws std::invalid_argument naming the file and the known model
// types, or the engine and the files or precision it cannot run.
const EngineEntry& engine_for_file(const std::string& path, const std::string& engine = "");

// Every engine that opens files with `path`'s extension and runs its precision, in the order of preference:
// open_predictor() falls back along it when the preferred engine cannot compile a graph (the oneDNN engine runs
// the ops portraitseg's exporter writes for the probability and logits heads; OpenCV DNN runs more).
std::vector<const EngineEntry*> engines_for_file(const std::string& path);

// {"libtorch (.ckpt)", "torchscript (.pt)", "opencv (.onnx)"}.
std::vector<std::string> engine_descriptions();
// "libtorch (.ckpt), torchscript (.pt), opencv (.onnx)": for help texts.
std::string engine_list();

}  // namespace pseg
