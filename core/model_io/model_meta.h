#pragma once
// The preprocessing and output contract of an exported model, stored inside every artefact (TorchScript extra
// file, ONNX metadata_props, checkpoint) so that readers need no config. Documented in docs/export.md.
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>

#include "data/input_format.h"
#include "portraitseg/version.h"

namespace pseg {

class SegNetImpl;

// What an exported graph returns.
enum class ExportHead {
  Logits,       // raw mask logits, [N, 1 or 2, H, W] float
  Probability,  // foreground probability, [N, 1, H, W] float (sigmoid, or softmax channel 1)
  Mask,         // (probability > threshold) * 255, [N, 1, H, W] uint8
};

std::string to_string(ExportHead head);
// Throws std::invalid_argument naming the accepted values.
ExportHead parse_export_head(const std::string& s);

struct ModelMeta {
  std::string net;                    // registry name
  std::string description;            // SegNet::describe()
  nlohmann::json options = nlohmann::json::object();  // net options as configured
  int64_t channels = 3;
  int64_t height = 0;
  int64_t width = 0;
  std::string layout = "NCHW";
  std::string color_order = "rgb";    // of the first three channels
  std::string normalization;          // name, e.g. "unit", "portraitnet"
  std::array<float, 3> mean{};        // normalised = (pixel - mean) * scale, pixel in 0..255, colour order above
  std::array<float, 3> scale{};
  bool prior_channel = false;         // channel 4 = previous-frame probability in 0..1, not normalised
  std::string resize = "stretch";     // how other aspect ratios are fitted: stretch | pad_to_square
  float pad_value = 128.f;
  int64_t size_multiple = 32;
  ExportHead output = ExportHead::Probability;
  int64_t output_channels = 1;        // channels of `output`
  int64_t logit_channels = 1;         // 1: sigmoid head, 2: softmax head (channel 1 = person)
  float threshold = 0.5f;             // probability above which a pixel is person
  bool bn_folded = false;             // BatchNorm folded into the preceding convolutions (ONNX)
  std::string precision = "fp32";     // fp32 | fp16 | int8 (ONNX files written with export --precision)
  nlohmann::json quantization = nlohmann::json::object();  // how fp16/int8 was made: scheme, calibration, ranges
  std::string format;                 // "torchscript" | "onnx" | "" (checkpoint)
  int64_t onnx_opset = 0;             // 0 when not ONNX
  bool dynamic_batch = false;
  std::string producer = "portraitseg " PORTRAITSEG_VERSION;
  std::string torch_version;
  std::string onnx_version;
  std::string config_hash;            // hash of the resolved training config ("" when unknown)
};

nlohmann::json to_json(const ModelMeta& m);
// Throws std::runtime_error naming `source` and the key at fault.
ModelMeta meta_from_json(const nlohmann::json& j, const std::string& source);

// Metadata for exporting `net` (eval mode, its configured input size) with the given head.
ModelMeta meta_for(const SegNetImpl& net, ExportHead head, float threshold);

// The model's preprocessing as the data library describes it (size, colour order, normalisation, resize rule).
InputFormat input_format_of(const ModelMeta& meta);

// Name of the TorchScript extra file and of the ONNX metadata_props key holding the JSON.
inline constexpr const char* kMetaKey = "portraitseg.json";

// Readers for exported files; throw std::runtime_error naming the file when it has no (valid) metadata.
ModelMeta read_torchscript_meta(const std::string& path);
ModelMeta read_onnx_meta(const std::string& path);

}  // namespace pseg
