#include "data/pair_decode.h"

#include <opencv2/imgcodecs.hpp>

#include <stdexcept>

#include "data/image_io.h"

namespace pseg {

void check_label_size(const Sample& s, const std::string& mask_path) {
  if (s.label.size() == s.image.size()) return;
  throw std::runtime_error(mask_path + ": mask size " + std::to_string(s.label.cols) + "x" +
                           std::to_string(s.label.rows) + " differs from image size " + std::to_string(s.image.cols) +
                           "x" + std::to_string(s.image.rows));
}

Sample load_ruled_pair(const PairRef& pair, const MaskRule& rule) {
  Sample s;
  s.id = pair.image;
  s.image = read_image(pair.image, cv::IMREAD_COLOR);
  s.label = rule.apply(read_class_mask(pair.mask));
  check_label_size(s, pair.mask);
  return s;
}

}  // namespace pseg
