#include "data/image_codecs.h"

#include <opencv2/imgcodecs.hpp>

namespace pseg {

cv::Mat codecs_decode(const std::vector<unsigned char>& bytes, int flags) { return cv::imdecode(bytes, flags); }

bool codecs_encode(const std::string& extension, const cv::Mat& image, std::vector<unsigned char>& out,
                   const std::vector<int>& params) {
  return cv::imencode(extension, image, out, params);
}

}  // namespace pseg
