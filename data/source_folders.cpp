// `folders`: an image directory and a mask directory, paired by file stem.
#include <map>

#include "data/file_walk.h"
#include "data/pair_decode.h"

namespace pseg {
namespace {

class FoldersReader : public FormatReader {
 public:
  explicit FoldersReader(const SourceConfig& c)
      : images_(c.images), masks_(c.masks), rule_(parse_mask_rule(c.mask_rule.empty() ? ">0" : c.mask_rule)) {
    require_option(images_, "folders source: images");
    require_option(masks_, "folders source: masks");
  }

  std::vector<PairRef> list() const override {
    const auto images = by_stem(list_images(images_, false));
    const auto masks = by_stem(list_images(masks_, false));
    std::vector<PairRef> out;
    for (const auto& [stem, files] : images) {
      PairRef p;
      p.image = files.front();
      const auto m = masks.find(stem);
      if (files.size() > 1) {
        p.problem = "duplicate image stem \"" + stem + "\" (" + std::to_string(files.size()) + " files)";
      } else if (m == masks.end()) {
        p.problem = "missing mask (no file named " + stem + ".* in " + masks_ + ")";
      } else if (m->second.size() > 1) {
        p.mask = m->second.front();
        p.problem = "duplicate mask stem \"" + stem + "\" (" + std::to_string(m->second.size()) + " files)";
      } else {
        p.mask = m->second.front();
      }
      out.push_back(p);
    }
    for (const auto& [stem, files] : masks)
      if (!images.count(stem)) out.push_back({"", files.front(), "mask without image (no file named " + stem + ".* in " + images_ + ")"});
    return out;
  }

  Sample load(const PairRef& pair) const override { return load_ruled_pair(pair, rule_); }

 private:
  static std::map<std::string, std::vector<std::string>> by_stem(const std::vector<std::filesystem::path>& files) {
    std::map<std::string, std::vector<std::string>> m;
    for (const auto& f : files) m[f.stem().string()].push_back(f.string());
    return m;
  }

  std::string images_, masks_;
  MaskRule rule_;
};

}  // namespace

FormatEntry folders_format() {
  return {"folders", "an image folder and a mask folder matched by file stem", {"images", "masks", "mask_rule"},
          [](const SourceConfig& c) -> std::unique_ptr<FormatReader> { return std::make_unique<FoldersReader>(c); }};
}

}  // namespace pseg
