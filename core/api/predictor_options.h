#pragma once
// The public SegmenterOptions as the inference library takes them (applies `threads` to the process first).
#include "core/infer/predictor.h"
#include "portraitseg/segmenter.h"

namespace portraitseg::detail {

pseg::PredictorOptions predictor_options(const SegmenterOptions& options);

}  // namespace portraitseg::detail
