#pragma once
// The net of the importer targets and of their seeds (tests/fuzz/corpus/README.md): Mobile-Unet v3 at 5 % width.
#include <string>
#include <vector>

const std::vector<std::string> kTinyNet = {"model.width_multiplier=0.05", "model.input_size=[32,32]"};
