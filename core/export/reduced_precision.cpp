#include "core/export/reduced_precision.h"

#include <spdlog/spdlog.h>

#include "core/export/onnx_fp16.h"
#include "core/export/onnx_int8.h"

namespace pseg {

void apply_precision(OnnxModel& model, const PrecisionOptions& o, const std::vector<torch::Tensor>& samples,
                     const CalibrationSet* calibration) {
  model.meta.precision = to_string(o.precision);
  nlohmann::json& q = model.meta.quantization;
  q = nlohmann::json::object();
  if (o.precision == Precision::Fp32) return;
  if (o.precision == Precision::Fp16) {
    const auto max_abs = observe_max_abs(OnnxExecutor(model.proto), samples);
    const Fp16Stats s = convert_to_fp16(model.proto, max_abs);
    q = {{"compute", "float16"},
         {"io", "float32"},
         {"initializers", s.initializers},
         {"casts", s.casts},
         {"float32_nodes", s.float32_nodes},
         {"nodes", s.nodes},
         {"safe_max", kFp16SafeMax},
         {"range_checked_on", calibration ? calibration->spec : "random verification inputs"}};
    spdlog::info("export: fp16: {} initializers converted, {} of {} nodes kept in float32 for range, {} casts",
                 s.initializers, s.float32_nodes, s.nodes, s.casts);
    return;
  }
  const std::vector<std::string> names = int8_activations(model.proto.graph(), o.scheme);
  std::map<std::string, ActivationRange> ranges;
  if (!names.empty()) {
    if (!calibration) throw std::invalid_argument("precision int8 (qdq): calibration images are required");
    const OnnxExecutor fp32(model.proto);
    ranges = calibrate_ranges(fp32, *calibration, names, o.method, o.percentile);
  }
  const Int8Stats s = quantize_int8(model.proto, o.scheme, o.per_channel, ranges);
  q = {{"scheme", to_string(o.scheme)},
       {"weights", {{"type", "int8"}, {"symmetric", true}, {"per_channel", o.per_channel}, {"tensors", s.weights}}}};
  if (o.scheme == Int8Scheme::Qdq) {
    q["activations"] = {{"type", "uint8"}, {"per_tensor", true}, {"tensors", s.activations},
                        {"max_step", s.max_step}, {"last", s.last_activation}, {"last_step", s.last_step}};
    q["biases"] = {{"type", "int32"}, {"tensors", s.biases}};
    q["calibration"] = {{"data", calibration->spec},
                        {"images", calibration->inputs.size()},
                        {"method", to_string(o.method)}};
    if (o.method == CalibrationMethod::Percentile) q["calibration"]["percentile"] = o.percentile;
  }
  spdlog::info("export: int8 {}: {} weight tensors, {} activations, {} biases", to_string(o.scheme), s.weights,
               s.activations, s.biases);
}

}  // namespace pseg
