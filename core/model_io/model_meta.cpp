#include "core/model_io/model_meta.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "core/onnx_exec/onnx_file.h"

namespace pseg {
namespace {

template <typename T>
T get(const nlohmann::json& j, const char* key, const std::string& source) {
  if (!j.contains(key)) throw std::runtime_error(source + ": model metadata lacks \"" + key + "\"");
  try {
    const nlohmann::json& v = j.at(key);
    // nlohmann converts a float to an integer with a plain cast, undefined for 1e300 (found by
    // tests/fuzz/fuzz_model_meta.cpp): an integer must be a whole number in the type's range.
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (v.is_number_float()) {
        const double d = v.get<double>();
        if (!(d == std::floor(d) && d >= static_cast<double>(std::numeric_limits<T>::min()) &&
              d < static_cast<double>(std::numeric_limits<T>::max())))
          throw std::runtime_error(source + ": model metadata key \"" + std::string(key) +
                                   "\" is not an integer in the supported range");
        return static_cast<T>(d);
      }
    }
    return v.get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(source + ": model metadata key \"" + std::string(key) + "\" has the wrong type");
  }
}

}  // namespace

std::string to_string(ExportHead head) {
  switch (head) {
    case ExportHead::Logits: return "logits";
    case ExportHead::Probability: return "probability";
    case ExportHead::Mask: return "mask";
  }
  return "probability";
}

ExportHead parse_export_head(const std::string& s) {
  if (s == "logits") return ExportHead::Logits;
  if (s == "probability") return ExportHead::Probability;
  if (s == "mask") return ExportHead::Mask;
  throw std::invalid_argument("head: expected \"logits\", \"probability\" or \"mask\", got \"" + s + "\"");
}

nlohmann::json to_json(const ModelMeta& m) {
  return {{"net", m.net},
          {"description", m.description},
          {"options", m.options},
          {"input",
           {{"name", "input"},
            {"layout", m.layout},
            {"channels", m.channels},
            {"height", m.height},
            {"width", m.width},
            {"size_multiple", m.size_multiple},
            {"color_order", m.color_order},
            {"normalization", m.normalization},
            {"mean", m.mean},
            {"scale", m.scale},
            {"prior_channel", m.prior_channel},
            {"resize", m.resize},
            {"pad_value", m.pad_value}}},
          {"output",
           {{"name", "output"},
            {"kind", to_string(m.output)},
            {"channels", m.output_channels},
            {"logit_channels", m.logit_channels},
            {"threshold", m.threshold}}},
          {"bn_folded", m.bn_folded},
          {"precision", m.precision},
          {"quantization", m.quantization},
          {"format", m.format},
          {"onnx_opset", m.onnx_opset},
          {"dynamic_batch", m.dynamic_batch},
          {"producer", m.producer},
          {"torch_version", m.torch_version},
          {"onnx_version", m.onnx_version},
          {"config_hash", m.config_hash}};
}

ModelMeta meta_from_json(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) throw std::runtime_error(source + ": model metadata is not a JSON object");
  const auto in = get<nlohmann::json>(j, "input", source);
  const auto out = get<nlohmann::json>(j, "output", source);
  ModelMeta m;
  m.net = get<std::string>(j, "net", source);
  m.description = get<std::string>(j, "description", source);
  m.options = get<nlohmann::json>(j, "options", source);
  m.layout = get<std::string>(in, "layout", source);
  m.channels = get<int64_t>(in, "channels", source);
  m.height = get<int64_t>(in, "height", source);
  m.width = get<int64_t>(in, "width", source);
  m.size_multiple = get<int64_t>(in, "size_multiple", source);
  m.color_order = get<std::string>(in, "color_order", source);
  m.normalization = get<std::string>(in, "normalization", source);
  m.mean = get<std::array<float, 3>>(in, "mean", source);
  m.scale = get<std::array<float, 3>>(in, "scale", source);
  m.prior_channel = get<bool>(in, "prior_channel", source);
  m.resize = get<std::string>(in, "resize", source);
  m.pad_value = get<float>(in, "pad_value", source);
  try {
    m.output = parse_export_head(get<std::string>(out, "kind", source));
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(source + ": model metadata output." + e.what());
  }
  m.output_channels = get<int64_t>(out, "channels", source);
  m.logit_channels = get<int64_t>(out, "logit_channels", source);
  m.threshold = get<float>(out, "threshold", source);
  m.bn_folded = get<bool>(j, "bn_folded", source);
  // Files written before reduced-precision export carry neither key: they are fp32.
  if (j.contains("precision")) m.precision = get<std::string>(j, "precision", source);
  if (m.precision != "fp32" && m.precision != "fp16" && m.precision != "int8")
    throw std::runtime_error(source + ": model metadata precision: expected \"fp32\", \"fp16\" or \"int8\", got \"" +
                             m.precision + "\"");
  if (j.contains("quantization")) m.quantization = get<nlohmann::json>(j, "quantization", source);
  m.format = get<std::string>(j, "format", source);
  m.onnx_opset = get<int64_t>(j, "onnx_opset", source);
  m.dynamic_batch = get<bool>(j, "dynamic_batch", source);
  m.producer = get<std::string>(j, "producer", source);
  m.torch_version = get<std::string>(j, "torch_version", source);
  m.onnx_version = get<std::string>(j, "onnx_version", source);
  m.config_hash = get<std::string>(j, "config_hash", source);
  return m;
}

ModelMeta read_onnx_meta(const std::string& path) {
  const onnx::ModelProto model = read_onnx_model(path);
  for (const auto& prop : model.metadata_props()) {
    if (prop.key() != kMetaKey) continue;
    nlohmann::json j = nlohmann::json::parse(prop.value(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) throw std::runtime_error(path + ": metadata_props " + kMetaKey + " is not valid JSON");
    return meta_from_json(j, path);
  }
  throw std::runtime_error(path + ": ONNX model has no metadata_props entry " + kMetaKey);
}

InputFormat input_format_of(const ModelMeta& m) {
  InputFormat f;
  f.channels = static_cast<int>(m.channels);
  f.height = static_cast<int>(m.height);
  f.width = static_cast<int>(m.width);
  f.rgb = m.color_order == "rgb";
  f.mean = m.mean;
  f.scale = m.scale;
  f.resize = m.resize == "pad_to_square" ? InputResize::PadSquare : InputResize::Stretch;
  f.pad_value = m.pad_value;
  return f;
}

}  // namespace pseg
