// `aisegment`: clip_img/<group>/clip_<n>/<id>.jpg with RGBA mattes at matting/<group>/matting_<n>/<id>.png;
// the mask is the alpha channel.
#include <opencv2/imgcodecs.hpp>

#include <stdexcept>

#include "data/file_walk.h"
#include "data/image_io.h"
#include "data/pair_decode.h"

namespace pseg {
namespace {

class AisegmentReader : public FormatReader {
 public:
  explicit AisegmentReader(const SourceConfig& c) : root_(c.root), threshold_(c.alpha_threshold), soft_(c.soft) {
    require_option(root_, "aisegment source: root");
    if (threshold_ < 1 || threshold_ > 255)
      throw std::invalid_argument("aisegment source: alpha_threshold: expected 1..255, got " + std::to_string(threshold_));
  }

  std::vector<PairRef> list() const override {
    namespace fs = std::filesystem;
    const fs::path clips = fs::path(root_) / "clip_img";
    std::vector<PairRef> out;
    for (const auto& image : list_images(clips, true)) {
      fs::path matte = fs::path(root_) / "matting";
      for (const auto& part : fs::relative(image.parent_path(), clips)) {
        const std::string s = part.string();
        matte /= s.rfind("clip_", 0) == 0 ? "matting_" + s.substr(5) : s;
      }
      matte /= image.stem().string() + ".png";
      out.push_back({image.string(), matte.string(), ""});
    }
    return out;
  }

  Sample load(const PairRef& pair) const override {
    Sample s;
    s.id = pair.image;
    s.image = read_image(pair.image, cv::IMREAD_COLOR);
    const cv::Mat matte = read_image(pair.mask, cv::IMREAD_UNCHANGED);
    if (matte.channels() != 4 || matte.depth() != CV_8U)
      throw std::runtime_error(pair.mask + ": expected an 8-bit RGBA matte, got " + std::to_string(matte.channels()) +
                               " channels");
    cv::Mat alpha;
    cv::extractChannel(matte, alpha, 3);
    s.label = cv::Mat(alpha.size(), CV_8UC1, cv::Scalar(kLabelBackground));
    s.label.setTo(kLabelPerson, alpha >= threshold_);
    check_label_size(s, pair.mask);
    if (soft_) alpha.convertTo(s.soft, CV_32F, 1.0 / 255.0);
    return s;
  }

 private:
  std::string root_;
  int threshold_;
  bool soft_;
};

}  // namespace

FormatEntry aisegment_format() {
  return {"aisegment", "AISegment matting set: RGBA foregrounds, person where alpha >= alpha_threshold", {"root", "alpha_threshold", "soft"},
          [](const SourceConfig& c) -> std::unique_ptr<FormatReader> { return std::make_unique<AisegmentReader>(c); }};
}

}  // namespace pseg
