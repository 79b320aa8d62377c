#pragma once
// Writing a checkpoint as TorchScript and/or ONNX files that load everywhere, with their metadata and a check
// against the eager net, as `portraitseg export` does (docs/export.md).
#include <cstdint>
#include <string>
#include <vector>

#include "portraitseg/errors.h"
#include "portraitseg/options.h"

namespace portraitseg {

struct ExportOptions {
  PORTRAITSEG_ARG(std::string, format) = "all";  // "torchscript" | "onnx" | "all"
  // A directory (files named after the net), or a file with the format's extension for one format.
  PORTRAITSEG_ARG(std::string, out) = ".";
  PORTRAITSEG_ARG(int64_t, opset) = 13;
  // Input size of the exported graph; 0 = the configured one.
  PORTRAITSEG_ARG(int64_t, height) = 0;
  PORTRAITSEG_ARG(int64_t, width) = 0;
  PORTRAITSEG_ARG(bool, dynamic_batch) = false;
  PORTRAITSEG_ARG(std::string, head) = "probability";  // "logits" | "probability" | "mask"
  PORTRAITSEG_ARG(float, threshold) = 0.5f;
  PORTRAITSEG_ARG(bool, verify) = true;
};

struct ExportSummary {
  std::vector<std::string> files;  // the model files written
  std::string json;                // everything `portraitseg export --json` prints
};

// Throws ConfigError for bad options, RuntimeError when the checkpoint cannot be read or a file cannot be written
// or fails verification (nothing is left behind then).
ExportSummary export_model(const std::string& checkpoint, const ExportOptions& options = ExportOptions());

}  // namespace portraitseg
