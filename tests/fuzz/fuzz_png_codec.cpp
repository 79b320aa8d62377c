// The PNG writer and its deflate coder (core/infer/png_encode.h, core/infer/rle_deflate.h) on arbitrary bytes:
// every deflate stream inflates back to its input through libdeflate's inflater, with runs and without, and a
// picture made of the bytes (grey, BGR or BGRA, up to 64 pixels wide) decodes back exactly through OpenCV's libpng
// in both compressions.
#include <libdeflate.h>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/infer/png_encode.h"
#include "core/infer/rle_deflate.h"
#include "tests/fuzz/fuzz_main.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  libdeflate_decompressor* inflater = libdeflate_alloc_decompressor();
  for (const bool runs : {true, false}) {
    const std::vector<unsigned char> z = pseg::rle_deflate_zlib(data, size, runs);
    std::vector<unsigned char> back(size + 1);
    size_t got = 0;
    if (libdeflate_zlib_decompress(inflater, z.data(), z.size(), back.data(), back.size(), &got) != LIBDEFLATE_SUCCESS ||
        got != size || (size > 0 && std::memcmp(back.data(), data, size) != 0))
      __builtin_trap();
  }
  libdeflate_free_decompressor(inflater);

  if (size < 3) return 0;
  const int channels = data[0] % 3 == 0 ? 1 : data[0] % 3 == 1 ? 3 : 4;
  const size_t pixels = (size - 2) / static_cast<size_t>(channels);
  if (pixels == 0) return 0;
  const int width = static_cast<int>(std::min<size_t>(1 + data[1] % 64, pixels));
  const int height = static_cast<int>(pixels / static_cast<size_t>(width));
  cv::Mat picture(height, width, CV_8UC(channels));
  std::memcpy(picture.data, data + 2, picture.total() * picture.elemSize());
  for (const auto compression : {pseg::PngCompression::Small, pseg::PngCompression::Fast}) {
    const std::string png = pseg::encode_png(picture, compression);
    const cv::Mat back = cv::imdecode(std::vector<unsigned char>(png.begin(), png.end()), cv::IMREAD_UNCHANGED);
    if (back.type() != picture.type() || back.size() != picture.size() || cv::norm(back, picture, cv::NORM_INF) != 0)
      __builtin_trap();
  }
  return 0;
}
