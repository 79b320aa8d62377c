#pragma once
// Running a trained portrait segmentation model on photos and video frames. This header does not include LibTorch:
// the engines (LibTorch for .ckpt, TorchScript for .pt, OpenCV DNN for fp32 .onnx, LibTorch op by op for fp16/int8
// .onnx) live inside the library.
//
//   portraitseg::Segmenter segmenter("model.onnx", portraitseg::SegmenterOptions().threads(2));
//   cv::Mat probability = segmenter.segment(cv::imread("photo.jpg"));  // CV_32FC1 at the photo's size
#include <opencv2/core.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "portraitseg/errors.h"
#include "portraitseg/options.h"

namespace portraitseg {

struct SegmenterOptions {
  // "" = chosen by the file's extension; otherwise one of Segmenter::engines() (it must open this kind of file).
  PORTRAITSEG_ARG(std::string, engine) = "";
  // "cpu", "cuda" or "cuda:N" for the LibTorch engines; OpenCV DNN runs on the CPU whatever this says.
  PORTRAITSEG_ARG(std::string, device) = "cpu";
  // Intra-op threads of the process (LibTorch and OpenCV); 0 = leave the current setting.
  PORTRAITSEG_ARG(int, threads) = 0;
  // How images are resized to the net: "auto" (area when shrinking, else linear), "area", "linear" or "cubic".
  PORTRAITSEG_ARG(std::string, interpolation) = "auto";
};

// What a model file says about itself (its portraitseg metadata).
struct ModelInfo {
  std::string path;
  std::string engine;         // the engine running it
  std::string format;         // "checkpoint" | "torchscript" | "onnx"
  std::string net;            // e.g. "mobile_unet"
  std::string description;
  int64_t channels = 3;       // 4: the previous frame's mask is an input (video models)
  int64_t height = 0;         // the net's input size
  int64_t width = 0;
  std::string color_order;    // "rgb" | "bgr"
  std::string normalization;  // e.g. "unit", "imagenet", "portraitnet"
  std::string resize;         // "stretch" | "pad_to_square"
  float threshold = 0.5f;     // probability above which a pixel is person
  std::string producer;       // "portraitseg <version>" that wrote the file
  std::string metadata_json;  // all of the metadata (docs/export.md)
};

class Segmenter {
 public:
  // Opens a .ckpt, .pt or .onnx file. Throws RuntimeError naming the file when it is missing, unreadable or has no
  // portraitseg metadata; ConfigError for an unknown engine, device or interpolation, or an engine that does not
  // open this kind of file.
  explicit Segmenter(const std::string& model_path, const SegmenterOptions& options = SegmenterOptions());
  ~Segmenter();
  Segmenter(Segmenter&&) noexcept;
  Segmenter& operator=(Segmenter&&) noexcept;

  const ModelInfo& info() const;

  // The foreground probability (CV_32FC1 in [0, 1]) of an 8-bit BGR image of any size, at the image's size.
  // Video models get an empty previous-frame mask. Throws ConfigError for an empty or non-8-bit-BGR image.
  cv::Mat segment(const cv::Mat& bgr);

  // The same for several images in one net run where the model takes any batch (checkpoints, files exported with
  // --dynamic-batch), one image at a time otherwise. Results are in the order given.
  std::vector<cv::Mat> segment(const std::vector<cv::Mat>& images);

  // The probability of the photo in an image file, at its full size, decoded as `portraitseg test` decodes it: a
  // JPEG at least twice the net's input is decoded at 1/2, 1/4 or 1/8 of its size (a factor dividing both sides;
  // libjpeg's scaled decoding, about twice as fast, and a shrink far cheaper), detail the model's area shrink would
  // have averaged away anyway. to_mask8 of it is the mask
  // `test` writes for the file. segment(cv::imread(path)) gives the same for other files and small JPEGs, and for
  // large ones what `test --full-decode` writes. Throws RuntimeError for a missing, unreadable or corrupt file.
  cv::Mat segment_file(const std::string& path);

  // The engines this build has, "name (.extension)".
  static std::vector<std::string> engines();

 private:
  friend class VideoSegmenter;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct VideoOptions {
  // Run the net on every N-th frame (and on every scene cut); frames in between reuse the last mask.
  PORTRAITSEG_ARG(int, every) = 1;
  // Exponential smoothing of the mask over frames in [0, 1); 0 = off. Meant for 3-channel models.
  PORTRAITSEG_ARG(double, smooth) = 0.0;
  // Mean absolute thumbnail difference (0..255) above which a frame starts a new scene: the previous mask is
  // dropped. 0 = never.
  PORTRAITSEG_ARG(double, scene_cut) = 30.0;
};

// Frame after frame of one clip: 4-channel models get the previous frame's mask as their prior (zeros on the first
// frame and after a scene cut), as `portraitseg video` does.
class VideoSegmenter {
 public:
  explicit VideoSegmenter(const std::string& model_path, const SegmenterOptions& options = SegmenterOptions(),
                          const VideoOptions& video = VideoOptions());
  ~VideoSegmenter();
  VideoSegmenter(VideoSegmenter&&) noexcept;
  VideoSegmenter& operator=(VideoSegmenter&&) noexcept;

  const ModelInfo& info() const;
  // The next frame's probability (CV_32FC1 at the frame's size).
  cv::Mat next(const cv::Mat& bgr_frame);
  // Forgets the previous frames: the next frame starts a new clip.
  void reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A probability as the 8-bit mask `portraitseg test` writes (<stem>_mask.png): round(255 * p).
cv::Mat to_mask8(const cv::Mat& probability);

}  // namespace portraitseg
