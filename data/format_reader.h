#pragma once
// One reader per on-disk dataset format: it lists the candidate image/mask pairs of a source without decoding
// them, and decodes one pair into a Sample. dataset.cpp validates, splits and mixes what the readers list.
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/common/registry.h"
#include "data/data_config.h"
#include "data/sample.h"

namespace pseg {

struct PairRef {
  std::string image;
  std::string mask;     // mask image or annotation file
  std::string problem;  // set when listing already found the pair unusable ("missing mask", ...)
};

class FormatReader {
 public:
  virtual ~FormatReader() = default;
  // Throws std::runtime_error when the source's directories or list file cannot be read.
  virtual std::vector<PairRef> list() const = 0;
  // Throws std::runtime_error naming the file when the pair cannot be decoded or does not match.
  virtual Sample load(const PairRef& pair) const = 0;
};

// A dataset format: its name, the source keys it reads (docs/data.md; "format" and "weight" are common to all)
// and its reader. Each format is one file (data/source_<format>.cpp) plus one line in data/format_reader.cpp.
struct FormatEntry {
  std::string name;
  std::string summary;
  std::set<std::string> keys;
  std::function<std::unique_ptr<FormatReader>(const SourceConfig&)> create;
};

// Every dataset format by name; an application or a test may add its own (core/common/registry.h).
Registry<FormatEntry>& format_registry();

// Throws std::invalid_argument for an unknown format or an invalid option (e.g. a bad mask rule).
std::unique_ptr<FormatReader> make_format_reader(const SourceConfig& config);

// A short human name of a source for reports and logs: "folders data/images", "voc data/VOC2012".
std::string describe_source(const SourceConfig& config);

}  // namespace pseg
