#pragma once
// The numeric precision an exported ONNX file computes in, and how an int8 file is made (docs/export.md §8).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace pseg {

enum class Precision { Fp32, Fp16, Int8 };
enum class Int8Scheme {
  Qdq,          // static: QuantizeLinear/DequantizeLinear around convolutions, activation ranges calibrated
  WeightsOnly,  // dynamic-range: int8 weights dequantised at run time, float activations
};
enum class CalibrationMethod { MinMax, Percentile };

std::string to_string(Precision p);
std::string to_string(Int8Scheme s);
std::string to_string(CalibrationMethod m);
// Each throws std::invalid_argument naming the accepted values.
Precision parse_precision(const std::string& s);
Int8Scheme parse_int8_scheme(const std::string& s);
CalibrationMethod parse_calibration_method(const std::string& s);

struct PrecisionOptions {
  Precision precision = Precision::Fp32;
  Int8Scheme scheme = Int8Scheme::Qdq;
  bool per_channel = true;                      // one weight scale per output channel (needs opset 13)
  std::string calibration;                      // data spec of the calibration images (int8 qdq; fp16/weights-only: for the report)
  int64_t calibration_images = 32;              // the first N of the set, evenly spaced
  CalibrationMethod method = CalibrationMethod::MinMax;
  double percentile = 99.99;                    // with CalibrationMethod::Percentile: the kept share of values, in %
};

// Checks the combination (with the export's opset and BatchNorm folding) before anything is traced or written;
// throws std::invalid_argument naming the option.
void check_precision_options(const PrecisionOptions& o, int64_t opset, bool fold_bn);

}  // namespace pseg
