#pragma once
// OpenCV's image codecs (cv::imdecode, cv::imencode), called through here. OpenCV's codec library brings about 140
// shared libraries with it (GDAL and what it links), about 70 ms of loading for every command that links it. The
// `portraitseg` launcher therefore does not: it loads them from the portraitseg-codecs module the first time a photo
// needs them (tools/launcher_codecs.cpp), and answers --help, or turns a JPEG into a PNG mask, without them. Every
// other binary links data/image_codecs.cpp, which calls OpenCV directly.
#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace pseg {

// cv::imdecode(bytes, flags): an empty Mat when OpenCV cannot decode them; OpenCV's exceptions pass through.
cv::Mat codecs_decode(const std::vector<unsigned char>& bytes, int flags);
// cv::imencode(extension, image, out, params).
bool codecs_encode(const std::string& extension, const cv::Mat& image, std::vector<unsigned char>& out,
                   const std::vector<int>& params);

// What the portraitseg-codecs module exports, as the one C symbol `portraitseg_codecs`.
struct CodecFunctions {
  decltype(&codecs_decode) decode;
  decltype(&codecs_encode) encode;
};

}  // namespace pseg
