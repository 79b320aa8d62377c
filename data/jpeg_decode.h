#pragma once
// JPEG files decoded straight through libjpeg(-turbo) into BGR rows, at full size or 1/2, 1/4 or 1/8 of it (the
// scaled inverse DCT), then turned by their EXIF orientation as OpenCV turns them: the same pixels as cv::imdecode
// in about half its time at full size (4.3 against 7.9 ms for a 1-megapixel photo, docs/performance.md).
// decode_image (data/image_io.h) decodes colour JPEGs with it.
#include <opencv2/core.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pseg {

// The orientation (1 to 8) in a JPEG's first APP1 segment before its first scan, read as OpenCV 4.6 reads it (that
// segment only, whatever its signature); 1 when there is none or it cannot be read. One difference remains: OpenCV
// drops the orientation when an IFD entry before it points outside the segment; here it is kept.
int jpeg_exif_orientation(const std::vector<unsigned char>& jpeg);

// `jpeg` decoded to 8-bit BGR at 1/`scale` (1, 2, 4 or 8) of its size and turned by its EXIF orientation; nullopt
// for four-channel (CMYK, YCCK) files, which libjpeg does not turn into BGR. Throws std::invalid_argument for
// another scale and std::runtime_error "<what>: cannot decode image (<reason>)" for a file libjpeg cannot decode or
// whose frame is over kMaxImagePixels (data/image_io.h), before any pixel is allocated.
std::optional<cv::Mat> decode_jpeg_bgr(const std::vector<unsigned char>& jpeg, int scale, const std::string& what);

}  // namespace pseg
