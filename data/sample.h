#pragma once
// The data types every part of the data library shares. Sources yield Samples; transforms turn a Sample
// into an Example at the net's input size; the loader stacks Examples into a Batch of tensors.
#include <opencv2/core.hpp>
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace pseg {

// Label values: 0 background, 1 person, 255 ignore (excluded from losses and metrics).
constexpr uint8_t kLabelBackground = 0;
constexpr uint8_t kLabelPerson = 1;
constexpr uint8_t kLabelIgnore = 255;

// One decoded image/mask pair, at the image's own size.
struct Sample {
  cv::Mat image;  // CV_8UC3, BGR
  cv::Mat label;  // CV_8UC1, values 0/1/255, same size as image
  cv::Mat soft;   // CV_32FC1 in [0,1] (e.g. AISegment alpha / 255), or empty
  std::string id; // for logs and error messages: usually the image path
};

// Anything that yields Samples by index: one dataset source, or several mixed.
class SampleSource {
 public:
  virtual ~SampleSource() = default;
  virtual size_t size() const = 0;
  // Throws std::runtime_error naming the file when the pair cannot be read.
  virtual Sample load(size_t index) const = 0;
  virtual std::string id(size_t index) const = 0;
};

// A sample after augmentation and resizing to the net's input, still as images (HWC).
struct Example {
  cv::Mat image;          // CV_32FC3 or CV_8UC3 BGR, the deformed view
  cv::Mat texture_image;  // the deformed + texture-augmented view (consistency loss), or empty
  cv::Mat label;          // CV_8UC1 0/1/255
  cv::Mat soft;           // CV_32FC1 soft target, or empty
  cv::Mat boundary;       // CV_8UC1 0/1 boundary target, or empty
  cv::Mat prior;          // CV_32FC1 previous-frame prior in [0,1] (4-channel nets), or empty
  std::string id;
};

// Stacked, normalised NCHW tensors ready for a net.
struct Batch {
  torch::Tensor input;          // [N, C, H, W] float (C = 4 when the prior is appended)
  torch::Tensor input_texture;  // [N, C, H, W] float, texture view, or undefined
  torch::Tensor label;          // [N, H, W] int64, 0/1/255
  torch::Tensor soft;           // [N, 1, H, W] float, or undefined
  torch::Tensor boundary;       // [N, H, W] int64 0/1, or undefined
  std::vector<std::string> ids;
};

}  // namespace pseg
