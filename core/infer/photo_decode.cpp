#include "core/infer/photo_decode.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <optional>

#include "data/image_io.h"

namespace pseg {
namespace {

bool is_jpeg(const std::vector<unsigned char>& bytes) {
  return bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;
}

cv::Size transposed(cv::Size s) { return {s.height, s.width}; }

int imread_reduced_colour(int by) {
  switch (by) {
    case 2: return cv::IMREAD_REDUCED_COLOR_2;
    case 4: return cv::IMREAD_REDUCED_COLOR_4;
    default: return cv::IMREAD_REDUCED_COLOR_8;
  }
}

// The JPEG decoded at 1/`by` and the photo's full size as shown, or nullopt when the decoded size is neither the
// header's size divided by `by` nor that turned by a quarter (which is how OpenCV applies an EXIF orientation).
std::optional<std::pair<cv::Mat, cv::Size>> decode_reduced(const std::vector<unsigned char>& bytes,
                                                             const std::string& what, cv::Size stored, int by) {
  cv::Mat image = decode_image(bytes, imread_reduced_colour(by), what);
  const cv::Size reduced(stored.width / by, stored.height / by);
  if (image.size() == reduced) return std::make_pair(image, stored);
  if (image.size() == transposed(reduced)) return std::make_pair(image, transposed(stored));
  return std::nullopt;
}

}  // namespace

int jpeg_reduction(cv::Size size, const ModelMeta& meta, ResizeInterpolation interpolation) {
  if (interpolation != ResizeInterpolation::Auto && interpolation != ResizeInterpolation::Area) return 1;
  const int width = static_cast<int>(meta.width), height = static_cast<int>(meta.height);
  int best = 1;
  for (int by : {2, 4, 8}) {
    if (size.width % by != 0 || size.height % by != 0) break;
    const cv::Size r(size.width / by, size.height / by);
    const bool covers = meta.resize == "pad_to_square" ? std::max(r.width, r.height) >= std::max(width, height)
                                                       : r.width >= width && r.height >= height;
    if (covers) best = by;
  }
  return best;
}

DecodedPhoto decode_photo(const std::vector<unsigned char>& bytes, const std::string& what, const ModelMeta& meta,
                          ResizeInterpolation interpolation, const PhotoDecodeOptions& options) {
  DecodedPhoto photo;
  const auto stored = is_jpeg(bytes) && options.reduce ? image_header_size(bytes) : std::nullopt;
  int by = stored ? jpeg_reduction(*stored, meta, interpolation) : 1;
  if (by > 1) {
    auto reduced = decode_reduced(bytes, what, *stored, by);
    // Turned by its EXIF orientation, the photo may cover a non-square input only at a smaller reduction.
    if (reduced && reduced->second != *stored) {
      const int turned_by = jpeg_reduction(reduced->second, meta, interpolation);
      if (turned_by != by) reduced = turned_by > 1 ? decode_reduced(bytes, what, *stored, turned_by) : std::nullopt;
      by = turned_by;
    }
    if (reduced) {
      photo.for_net = reduced->first;
      photo.size = reduced->second;
      photo.reduction = by;
    }
  }
  if (photo.for_net.empty()) {
    photo.full = decode_image(bytes, cv::IMREAD_COLOR, what);
    photo.for_net = photo.full;
    photo.size = photo.full.size();
    return photo;
  }
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
