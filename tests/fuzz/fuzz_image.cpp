// Image and mask files as every dataset reads them (data/image_io.h): completeness and size checks before
// OpenCV decodes, then the class-mask mapping of palette PNGs.
#include <opencv2/imgcodecs.hpp>

#include "data/image_io.h"
#include "tests/fuzz/fuzz_main.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = pseg::fuzz::write_input(data, size, "fuzz.img");
  pseg::fuzz::parse_or_reject([&] { pseg::read_image(path, cv::IMREAD_COLOR); });
  pseg::fuzz::parse_or_reject([&] { pseg::read_class_mask(path); });
  return 0;
}
