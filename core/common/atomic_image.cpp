// write_image_atomic (core/common/atomic_file.h), apart from the rest: only binaries that write images through
// OpenCV's codecs link them (data/image_codecs.h says why that matters).
#include <opencv2/imgcodecs.hpp>

#include <filesystem>

#include "core/common/atomic_file.h"
#include "core/common/errors.h"

namespace pseg {

void write_image_atomic(const std::string& path, const cv::Mat& image) {
  std::vector<uchar> encoded;
  bool ok = false;
  try {
    ok = cv::imencode(std::filesystem::path(path).extension().string(), image, encoded);
  } catch (const cv::Exception& e) {
    throw RuntimeError(path + ": cannot encode the image: " + e.err);
  }
  if (!ok) throw RuntimeError(path + ": cannot encode the image");
  write_file_atomic(path, std::string(encoded.begin(), encoded.end()));
}

}  // namespace pseg
