// `voc`: JPEGImages/<id>.jpg with palette masks SegmentationClass/<id>.png. OpenCV decodes palette PNGs to
// colours, so labels come from exact colour matches: the chosen class -> person, the void colour -> ignore.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <stdexcept>

#include "data/file_walk.h"
#include "data/image_io.h"
#include "data/pair_decode.h"

namespace pseg {
namespace {

constexpr int kVocVoidIndex = 255;

class VocReader : public FormatReader {
 public:
  explicit VocReader(const SourceConfig& c) : root_(c.root), list_(c.list), class_id_(c.class_id) {
    require_option(root_, "voc source: root");
    if (class_id_ < 0 || class_id_ > 254)
      throw std::invalid_argument("voc source: class: expected 0..254, got " + std::to_string(class_id_));
  }

  std::vector<PairRef> list() const override {
    namespace fs = std::filesystem;
    const fs::path images = fs::path(root_) / "JPEGImages", masks = fs::path(root_) / "SegmentationClass";
    std::vector<std::string> ids;
    if (!list_.empty()) {
      for (const auto& line : read_list_lines(resolve(root_, list_))) ids.push_back(line.substr(0, line.find_first_of(" \t")));
    } else {
      // JPEGImages holds many images without masks in the full VOC release: walk the masks instead.
      for (const auto& m : list_images(masks, false)) ids.push_back(m.stem().string());
    }
    std::vector<PairRef> out;
    for (const auto& id : ids) out.push_back({(images / (id + ".jpg")).string(), (masks / (id + ".png")).string(), ""});
    return out;
  }

  Sample load(const PairRef& pair) const override {
    Sample s;
    s.id = pair.image;
    s.image = read_image(pair.image, cv::IMREAD_COLOR);
    const cv::Mat m = read_image(pair.mask, cv::IMREAD_UNCHANGED);
    if (m.depth() != CV_8U) throw std::runtime_error(pair.mask + ": expected an 8-bit mask");
    s.label = cv::Mat(m.size(), CV_8UC1, cv::Scalar(kLabelBackground));
    if (m.channels() == 1) {  // an index mask saved as grey
      s.label.setTo(kLabelPerson, m == class_id_);
      s.label.setTo(kLabelIgnore, m == kVocVoidIndex);
    } else if (m.channels() == 3 || m.channels() == 4) {
      cv::Mat bgr = m;
      if (m.channels() == 4) cv::cvtColor(m, bgr, cv::COLOR_BGRA2BGR);
      s.label.setTo(kLabelPerson, equal_colour(bgr, voc_palette_bgr(class_id_)));
      s.label.setTo(kLabelIgnore, equal_colour(bgr, voc_palette_bgr(kVocVoidIndex)));
    } else {
      throw std::runtime_error(pair.mask + ": unsupported mask with " + std::to_string(m.channels()) + " channels");
    }
    check_label_size(s, pair.mask);
    return s;
  }

 private:
  static cv::Mat equal_colour(const cv::Mat& bgr, const cv::Vec3b& c) {
    cv::Mat hit;
    cv::inRange(bgr, cv::Scalar(c[0], c[1], c[2]), cv::Scalar(c[0], c[1], c[2]), hit);
    return hit;
  }

  std::string root_, list_;
  int class_id_;
};

}  // namespace

FormatEntry voc_format() {
  return {"voc", "PASCAL VOC segmentation, one class as person", {"root", "class", "list"},
          [](const SourceConfig& c) -> std::unique_ptr<FormatReader> { return std::make_unique<VocReader>(c); }};
}

}  // namespace pseg
