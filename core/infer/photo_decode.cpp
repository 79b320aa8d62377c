#include "core/infer/photo_decode.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>

#include "data/image_io.h"

namespace pseg {
namespace {

bool is_jpeg(const std::vector<unsigned char>& bytes) {
  return bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;
}

cv::Size reduced(cv::Size size, int by) { return {(size.width + by - 1) / by, (size.height + by - 1) / by}; }

int imread_reduced_colour(int by) {
  switch (by) {
    case 2: return cv::IMREAD_REDUCED_COLOR_2;
    case 4: return cv::IMREAD_REDUCED_COLOR_4;
    default: return cv::IMREAD_REDUCED_COLOR_8;
  }
}

}  // namespace

int jpeg_reduction(cv::Size size, const ModelMeta& meta, ResizeInterpolation interpolation) {
  if (interpolation != ResizeInterpolation::Auto && interpolation != ResizeInterpolation::Area) return 1;
  const int width = static_cast<int>(meta.width), height = static_cast<int>(meta.height);
  int best = 1;
  for (int by : {2, 4, 8}) {
    const cv::Size r = reduced(size, by);
    const bool covers = meta.resize == "pad_to_square" ? std::max(r.width, r.height) >= std::max(width, height)
                                                       : r.width >= width && r.height >= height;
    if (covers) best = by;
  }
  return best;
}

DecodedPhoto decode_photo(const std::vector<unsigned char>& bytes, const std::string& what, const ModelMeta& meta,
                          ResizeInterpolation interpolation, const PhotoDecodeOptions& options) {
  DecodedPhoto photo;
  const auto header = is_jpeg(bytes) && options.reduce ? image_header_size(bytes) : std::nullopt;
  const int by = header ? jpeg_reduction(*header, meta, interpolation) : 1;
  if (by > 1) {
    photo.for_net = decode_image(bytes, imread_reduced_colour(by), what);
    // libjpeg rounds the reduced size up; OpenCV then turns the image as its EXIF orientation says, which the
    // header's size does not know.
    const cv::Size r = reduced(*header, by);
    if (photo.for_net.size() == r) {
      photo.size = *header;
    } else if (photo.for_net.size() == cv::Size(r.height, r.width)) {
      photo.size = cv::Size(header->height, header->width);
    } else {
      photo.for_net.release();  // a size the header does not explain: decode as if nothing were known
    }
  }
  if (photo.for_net.empty()) {
    photo.full = decode_image(bytes, cv::IMREAD_COLOR, what);
    photo.for_net = photo.full;
    photo.size = photo.full.size();
    return photo;
  }
  photo.reduction = by;
  if (options.keep_full) {
    photo.full = decode_image(bytes, cv::IMREAD_COLOR, what);
    photo.size = photo.full.size();
  }
  return photo;
}

DecodedPhoto decode_photo(const std::vector<unsigned char>& bytes, const std::string& what, const Predictor& predictor,
                          const PhotoDecodeOptions& options) {
  return decode_photo(bytes, what, predictor.meta(), predictor.options().interpolation, options);
}

}  // namespace pseg
