#pragma once
// Which datasets to read and how: plain option structs filled by core's config parser (or by code).
// Paths are used as given, so relative paths resolve against the working directory; `list` files resolve
// against the source's root when relative.
#include <cstdint>
#include <string>
#include <vector>

namespace pseg {

// One dataset on disk. Which members matter depends on `format` (docs/data.md lists them per format).
struct SourceConfig {
  std::string format;         // folders, list, eg1800, aisegment, voc, supervisely
  std::string root;           // dataset directory (all formats but folders)
  std::string images;         // folders: image directory
  std::string masks;          // folders: mask directory
  std::string list;           // list (required), eg1800, voc (optional): list file, relative to root
  std::string mask_rule;      // folders, list: ">0", "==1", ">=128", "==class K"; "" = the format's default
  std::string layout = "portraitnet";  // eg1800: portraitnet or sinet
  int alpha_threshold = 128;  // aisegment: person where alpha >= threshold
  bool soft = false;          // aisegment: also fill Sample::soft = alpha / 255
  int class_id = 15;          // voc: the class that counts as person (15 = person)
  double weight = 1.0;        // train mixing: a per-source repetition factor (see dataset.h)
};

struct SplitConfig {
  double test_fraction = 0.2;  // share of each train source held out when no test sources are given
  uint64_t seed = 0;
};

enum class OnError { Strict, Skip };

struct DataConfig {
  std::vector<SourceConfig> train;
  std::vector<SourceConfig> test;
  SplitConfig split;
  OnError on_error = OnError::Strict;
};

}  // namespace pseg
