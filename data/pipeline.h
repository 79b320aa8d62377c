#pragma once
// Sample -> Example (augmentation per recipe, or evaluation resize) and Examples -> Batch (normalisation,
// HWC -> NCHW). Stateless and thread-safe: randomness comes only from the generator passed in.
#include <vector>

#include "data/augment_config.h"
#include "data/input_format.h"
#include "data/rng.h"
#include "data/sample.h"

namespace pseg {

enum class PipelineMode { Train, Eval };

class ExamplePipeline {
 public:
  // Throws std::invalid_argument for an unusable format (channels not 3/4, size not positive).
  ExamplePipeline(AugmentConfig augment, InputFormat format, PipelineMode mode);

  // Train: the recipe's augmentation with draws from `rng`; Eval: resize only (rng unused).
  // The result is at format().height x width, with boundary/texture view/prior as configured.
  Example make(const Sample& s, Rng& rng) const;

  const AugmentConfig& augment() const { return augment_; }
  const InputFormat& format() const { return format_; }
  PipelineMode mode() const { return mode_; }

 private:
  AugmentConfig augment_;
  InputFormat format_;
  PipelineMode mode_;
};

// Stacks Examples (all at the format's size) into tensors: input [N,C,H,W] float normalised per `f` with
// the prior (zeros when absent) as the 4th channel; label [N,H,W] int64 (255 kept); soft [N,1,H,W],
// boundary [N,H,W] int64 and input_texture only when every example has them.
Batch collate(const std::vector<Example>& examples, const InputFormat& f);

}  // namespace pseg
