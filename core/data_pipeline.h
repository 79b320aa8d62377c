#pragma once
// Glue between a net's InputSpec and the data library: how to format its input, and a loader built from a
// SampleSource, the augmentation config and loader options. Used by train, eval and bench.
#include <memory>

#include "data/augment_config.h"
#include "data/input_format.h"
#include "data/loader.h"
#include "data/pipeline.h"
#include "data/sample.h"
#include "nets/input_spec.h"

namespace pseg {

// Size, colour order, normalisation, resize rule and prior channel of `spec` as the data library's InputFormat.
InputFormat input_format_for(const InputSpec& spec);

// A loader over `source`: Train applies `augment` (shuffle/drop_last as in `options`), Eval resizes only.
// Call start_epoch(e) before next(). Throws std::invalid_argument for bad options.
std::unique_ptr<BatchLoader> make_batch_loader(std::shared_ptr<const SampleSource> source, const AugmentConfig& augment,
                                               const InputSpec& spec, PipelineMode mode, const LoaderOptions& options);

}  // namespace pseg
