#pragma once
// Datasets named on the command line (`eval --data SPEC`) instead of in a config:
//   FORMAT:PATH[,KEY=VALUE]...          e.g. voc:data/VOCdevkit/person   aisegment:data/ai_segment,soft=true
//   folders:IMAGES_DIR,MASKS_DIR[,KEY=VALUE]...                         list:data/synth,list=test.txt
// FORMAT and KEYs are those of a config's data source (docs/data.md); PATH is the source's root. VALUEs are
// read as JSON when they parse, else as strings (mask_rule=>=128). Paths cannot contain commas.
#include <string>
#include <vector>

#include "data/data_config.h"

namespace pseg {

// One test source per spec, validated like a config's data.test entries (strict on_error). Throws ConfigError
// naming the spec and the key at fault.
DataConfig parse_data_specs(const std::vector<std::string>& specs);

}  // namespace pseg
