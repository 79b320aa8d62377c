#include "core/data_pipeline.h"

namespace pseg {

InputFormat input_format_for(const InputSpec& spec) {
  InputFormat f;
  f.channels = static_cast<int>(spec.channels);
  f.height = static_cast<int>(spec.height);
  f.width = static_cast<int>(spec.width);
  f.rgb = spec.color == ColorOrder::RGB;
  f.mean = spec.mean;
  f.scale = spec.scale;
  f.resize = spec.resize == ResizeMode::PadToSquare ? InputResize::PadSquare : InputResize::Stretch;
  f.pad_value = spec.pad_value;
  return f;
}

std::unique_ptr<BatchLoader> make_batch_loader(std::shared_ptr<const SampleSource> source, const AugmentConfig& augment,
                                               const InputSpec& spec, PipelineMode mode, const LoaderOptions& options) {
  auto pipeline = std::make_shared<const ExamplePipeline>(augment, input_format_for(spec), mode);
  return std::make_unique<BatchLoader>(std::move(source), std::move(pipeline), options);
}

}  // namespace pseg
