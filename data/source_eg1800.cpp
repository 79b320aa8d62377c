// `eg1800`: the two published EG1800 layouts.
//   portraitnet: Images/<name> + Labels/<name with .png>, person = 1 (values > 1 are background),
//                list lines are file names ("00001.png").
//   sinet:       images_data_crop/<id5>.jpg + GT_png/<id5>_mask.png, person = 255 (> 127),
//                list lines are integer ids ("1" -> "00001").
#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "data/file_walk.h"
#include "data/pair_decode.h"

namespace pseg {
namespace {

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

class Eg1800Reader : public FormatReader {
 public:
  explicit Eg1800Reader(const SourceConfig& c)
      : root_(c.root), list_(c.list), sinet_(c.layout == "sinet"),
        rule_(parse_mask_rule(sinet_ ? ">127" : "==1")) {
    require_option(root_, "eg1800 source: root");
    if (c.layout != "portraitnet" && c.layout != "sinet")
      throw std::invalid_argument("eg1800 source: layout: expected \"portraitnet\" or \"sinet\", got \"" + c.layout + "\"");
  }

  std::vector<PairRef> list() const override {
    namespace fs = std::filesystem;
    const fs::path images = fs::path(root_) / (sinet_ ? "images_data_crop" : "Images");
    std::vector<std::string> stems_or_names;
    if (!list_.empty()) {
      for (const auto& line : read_list_lines(resolve(root_, list_))) {
        const std::string entry = line.substr(0, line.find_first_of(" \t"));
        stems_or_names.push_back(sinet_ && all_digits(entry) ? pad5(entry) : entry);
      }
    } else {
      for (const auto& f : list_images(images, false))
        stems_or_names.push_back(sinet_ ? f.stem().string() : f.filename().string());
    }
    std::vector<PairRef> out;
    for (const auto& e : stems_or_names) {
      PairRef p;
      if (sinet_) {
        p.image = (images / (fs::path(e).has_extension() ? e : e + ".jpg")).string();
        p.mask = (fs::path(root_) / "GT_png" / (fs::path(e).stem().string() + "_mask.png")).string();
      } else {
        p.image = (images / e).string();
        p.mask = (fs::path(root_) / "Labels" / fs::path(e).replace_extension(".png")).string();
      }
      out.push_back(p);
    }
    return out;
  }

  Sample load(const PairRef& pair) const override { return load_ruled_pair(pair, rule_); }

 private:
  static std::string pad5(const std::string& id) { return std::string(id.size() < 5 ? 5 - id.size() : 0, '0') + id; }

  std::string root_, list_;
  bool sinet_;
  MaskRule rule_;
};

}  // namespace

FormatEntry eg1800_format() {
  return {"eg1800", "EG1800 (PortraitNet or SINet layout)", {"root", "layout", "list"},
          [](const SourceConfig& c) -> std::unique_ptr<FormatReader> { return std::make_unique<Eg1800Reader>(c); }};
}

}  // namespace pseg
