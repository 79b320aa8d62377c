// `list`: a PaddleSeg / PP-HumanSeg text file of "image mask" lines, paths relative to the root.
#include <sstream>

#include "data/file_walk.h"
#include "data/pair_decode.h"

namespace pseg {
namespace {

class ListReader : public FormatReader {
 public:
  explicit ListReader(const SourceConfig& c)
      : root_(c.root), list_(c.list), rule_(parse_mask_rule(c.mask_rule.empty() ? "==class 1" : c.mask_rule)) {
    require_option(root_, "list source: root");
    require_option(list_, "list source: list");
  }

  std::vector<PairRef> list() const override {
    const auto file = resolve(root_, list_);
    std::vector<PairRef> out;
    for (const auto& line : read_list_lines(file)) {
      std::istringstream in(line);
      std::string image, mask, extra;
      in >> image >> mask >> extra;
      PairRef p;
      p.image = resolve(root_, image).string();
      if (!mask.empty()) p.mask = resolve(root_, mask).string();
      if (mask.empty()) p.problem = "missing mask (" + file.string() + " line \"" + line + "\" names only an image)";
      else if (!extra.empty()) p.problem = "expected \"image mask\" in " + file.string() + ", got \"" + line + "\"";
      out.push_back(p);
    }
    return out;
  }

  Sample load(const PairRef& pair) const override { return load_ruled_pair(pair, rule_); }

 private:
  std::string root_, list_;
  MaskRule rule_;
};

}  // namespace

FormatEntry list_format() {
  return {"list", "a list file of image/mask pairs (portraitseg synth)", {"root", "list", "mask_rule"},
          [](const SourceConfig& c) -> std::unique_ptr<FormatReader> { return std::make_unique<ListReader>(c); }};
}

}  // namespace pseg
