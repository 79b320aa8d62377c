#pragma once
// Decoding steps the format readers share.
#include <string>

#include "data/format_reader.h"
#include "data/mask_rule.h"

namespace pseg {

// Throws std::runtime_error naming the mask when the label's size differs from the image's.
void check_label_size(const Sample& s, const std::string& mask_path);

// Image as BGR, mask as class values turned into labels by `rule`, sizes checked.
Sample load_ruled_pair(const PairRef& pair, const MaskRule& rule);

}  // namespace pseg
