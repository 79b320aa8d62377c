// segment_photo MODEL PHOTO OUT_DIR: writes OUT_DIR/mask.png (the 8-bit probability `portraitseg test` writes),
// OUT_DIR/cutout.png (the person on a transparent background) and OUT_DIR/blur.png (a blurred background).
#include <opencv2/imgcodecs.hpp>

#include <iostream>
#include <string>

#include "portraitseg/effects.h"
#include "portraitseg/segmenter.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: segment_photo MODEL PHOTO OUT_DIR\n";
    return 2;
  }
  try {
    // .ckpt, .pt or .onnx: the engine follows the file; 2 intra-op threads.
    portraitseg::Segmenter segmenter(argv[1], portraitseg::SegmenterOptions().threads(2));
    const portraitseg::ModelInfo& model = segmenter.info();
    std::cout << model.net << " " << model.height << "x" << model.width << " on " << model.engine << "\n";

    const cv::Mat photo = cv::imread(argv[2], cv::IMREAD_COLOR);
    if (photo.empty()) throw portraitseg::RuntimeError(std::string(argv[2]) + ": cannot read the image");
    // CV_32FC1 at the photo's size; the file decoded as `portraitseg test` decodes it (a large JPEG reduced).
    const cv::Mat probability = segmenter.segment_file(argv[2]);

    const cv::Mat alpha = portraitseg::alpha_matte(probability, portraitseg::MatteOptions().threshold(model.threshold));
    const std::string out = argv[3];
    if (!cv::imwrite(out + "/mask.png", portraitseg::to_mask8(probability)) ||
        !cv::imwrite(out + "/cutout.png", portraitseg::cutout(photo, alpha)) ||
        !cv::imwrite(out + "/blur.png", portraitseg::blur_background(photo, alpha)))
      throw portraitseg::RuntimeError(out + ": cannot write the results");
    return 0;
  } catch (const portraitseg::ConfigError& e) {  // bad options or input: the CLI's exit code 2
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const portraitseg::RuntimeError& e) {  // missing or corrupt model, I/O: exit code 1
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
