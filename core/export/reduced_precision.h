#pragma once
// fp16 and int8 export: an fp32 ONNX model (core/export/export_onnx.h) rewritten to the requested precision, its
// metadata recording how (precision, scheme, calibration).
#include "core/export/calibration.h"
#include "core/export/export_onnx.h"
#include "core/export/precision.h"

namespace pseg {

// Rewrites `model` (fp32) in place to `o.precision`. `samples` are the inputs fp16's range check runs on (the
// calibration images when given); `calibration` holds the images for int8 QDQ ranges (may be null otherwise).
// Throws std::runtime_error naming what cannot be converted; the model is then unusable.
void apply_precision(OnnxModel& model, const PrecisionOptions& o, const std::vector<torch::Tensor>& samples,
                     const CalibrationSet* calibration);

}  // namespace pseg
