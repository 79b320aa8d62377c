#include "core/export/precision.h"

#include <stdexcept>

namespace pseg {

std::string to_string(Precision p) {
  switch (p) {
    case Precision::Fp32: return "fp32";
    case Precision::Fp16: return "fp16";
    case Precision::Int8: return "int8";
  }
  return "?";
}

std::string to_string(Int8Scheme s) { return s == Int8Scheme::Qdq ? "qdq" : "weights-only"; }
std::string to_string(CalibrationMethod m) { return m == CalibrationMethod::MinMax ? "minmax" : "percentile"; }

Precision parse_precision(const std::string& s) {
  if (s == "fp32") return Precision::Fp32;
  if (s == "fp16") return Precision::Fp16;
  if (s == "int8") return Precision::Int8;
  throw std::invalid_argument("precision: expected \"fp32\", \"fp16\" or \"int8\", got \"" + s + "\"");
}

Int8Scheme parse_int8_scheme(const std::string& s) {
  if (s == "qdq") return Int8Scheme::Qdq;
  if (s == "weights-only") return Int8Scheme::WeightsOnly;
  throw std::invalid_argument("int8-scheme: expected \"qdq\" or \"weights-only\", got \"" + s + "\"");
}

CalibrationMethod parse_calibration_method(const std::string& s) {
  if (s == "minmax") return CalibrationMethod::MinMax;
  if (s == "percentile") return CalibrationMethod::Percentile;
  throw std::invalid_argument("calibration-method: expected \"minmax\" or \"percentile\", got \"" + s + "\"");
}

void check_precision_options(const PrecisionOptions& o, int64_t opset, bool fold_bn) {
  if (o.calibration_images < 1)
    throw std::invalid_argument("calibration-images: expected at least 1, got " + std::to_string(o.calibration_images));
  if (!(o.percentile > 50.0 && o.percentile <= 100.0))
    throw std::invalid_argument("percentile: expected a value in (50, 100], got " + std::to_string(o.percentile));
  if (o.precision != Precision::Int8) return;
  if (o.scheme == Int8Scheme::Qdq && o.calibration.empty())
    throw std::invalid_argument("precision int8 (qdq): --calibration DATA_SPEC is required to measure activation ranges");
  if (o.scheme == Int8Scheme::Qdq && !fold_bn)
    throw std::invalid_argument("precision int8 (qdq): BatchNorm cannot be quantised; export without --keep-bn");
  if (o.per_channel && opset < 13)
    throw std::invalid_argument("precision int8: per-channel weight scales need opset 13 (got " + std::to_string(opset) +
                                "); use --opset 13 or --no-per-channel");
}

}  // namespace pseg
