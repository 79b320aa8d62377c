#pragma once
// core/export: tracing a net and writing verified TorchScript and ONNX files (the export job).
// The export job behind `portraitseg export`: build or load the net, trace the inference path, write
// TorchScript and/or ONNX atomically (temp file + rename), verify each against the eager model, and leave no
// file behind on failure.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/export/export_verify.h"
#include "core/export/precision.h"
#include "core/model_io/model_meta.h"

namespace pseg {

enum class ExportFormat { TorchScript, Onnx, All };
// Throws std::invalid_argument naming the accepted values.
ExportFormat parse_export_format(const std::string& s);

struct ExportOptions {
  std::string model;            // checkpoint to export, or
  std::string config;           // JSON config: a freshly initialised net (seeded)
  std::vector<std::string> overrides;  // --set key.path=VALUE for the config
  ExportFormat format = ExportFormat::All;
  std::string out;              // file (single format, with its extension) or directory
  int64_t opset = 13;
  int64_t height = 0;           // 0 = the configured input size
  int64_t width = 0;
  bool dynamic_batch = false;
  ExportHead head = ExportHead::Probability;
  float threshold = 0.5f;
  bool fold_bn = true;
  bool verify = true;
  uint64_t seed = 0;            // initialisation seed for --config
  std::string device = "cpu";
  PrecisionOptions precision;   // fp16/int8: ONNX only, files named <name>.<precision>.onnx in a directory
};

struct ExportedFile {
  std::string format;  // "torchscript" | "onnx"
  std::string path;
  int64_t bytes = 0;
  double seconds = 0;  // trace + lower + write
  bool verified = false;
  VerifyReport verify;
};

struct ExportResult {
  ModelMeta meta;
  std::string meta_path;  // the <name>.json copy
  std::vector<ExportedFile> files;
};

ExportResult run_export(const ExportOptions& options);

nlohmann::json to_json(const ExportResult& r);

}  // namespace pseg
