#include "core/datasets/data_pipeline.h"

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

}  // namespace pseg
