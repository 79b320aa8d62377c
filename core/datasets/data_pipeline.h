#pragma once
// Glue between a net's InputSpec and the data library: how the data pipeline formats the net's input.
#include "data/input_format.h"
#include "nets/input_spec.h"

namespace pseg {

// Size, colour order, normalisation, resize rule and prior channel of `spec` as the data library's InputFormat.
InputFormat input_format_for(const InputSpec& spec);

}  // namespace pseg
