#pragma once
// One reader per on-disk dataset format: it lists the candidate image/mask pairs of a source without decoding
// them, and decodes one pair into a Sample. dataset.cpp validates, splits and mixes what the readers list.
#include <memory>
#include <string>
#include <vector>

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

// Throws std::invalid_argument for an unknown format or an invalid option (e.g. a bad mask rule).
std::unique_ptr<FormatReader> make_format_reader(const SourceConfig& config);

// Known format names, sorted.
const std::vector<std::string>& format_names();

// A short human name of a source for reports and logs: "folders data/images", "voc data/VOC2012".
std::string describe_source(const SourceConfig& config);

// Format readers, one per file.
std::unique_ptr<FormatReader> make_folders_reader(const SourceConfig& config);
std::unique_ptr<FormatReader> make_list_reader(const SourceConfig& config);
std::unique_ptr<FormatReader> make_eg1800_reader(const SourceConfig& config);
std::unique_ptr<FormatReader> make_aisegment_reader(const SourceConfig& config);
std::unique_ptr<FormatReader> make_voc_reader(const SourceConfig& config);
std::unique_ptr<FormatReader> make_supervisely_reader(const SourceConfig& config);

}  // namespace pseg
