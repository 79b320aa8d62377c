// Image and mask files as every dataset reads them (data/image_io.h): completeness and size checks before
// OpenCV decodes, then the class-mask mapping of palette PNGs; and photos as `test` and `serve` decode them for a
// net (core/infer/photo_decode.h), JPEGs reduced for a 4-pixel input.
#include <opencv2/imgcodecs.hpp>

#include "core/infer/photo_decode.h"
#include "data/image_io.h"
#include "tests/fuzz/fuzz_main.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = pseg::fuzz::write_input(data, size, "fuzz.img");
  pseg::fuzz::parse_or_reject([&] { pseg::read_image(path, cv::IMREAD_COLOR); });
  pseg::fuzz::parse_or_reject([&] { pseg::read_class_mask(path); });
  pseg::fuzz::parse_or_reject([&] {
    pseg::ModelMeta meta;
    meta.width = meta.height = 4;
    meta.resize = "pad_to_square";
    pseg::PhotoDecodeOptions options;
    options.keep_full = true;
    const pseg::DecodedPhoto photo =
        pseg::decode_photo(std::vector<unsigned char>(data, data + size), "fuzz.img", meta,
                           pseg::ResizeInterpolation::Auto, options);
    // The net's pixels are the photo's, shown the same way, divided by the reduction.
    const cv::Size net = photo.for_net.size();
    if (photo.full.size() != photo.size || net.width * photo.reduction != photo.size.width ||
        net.height * photo.reduction != photo.size.height)
      __builtin_trap();
  });
  return 0;
}
