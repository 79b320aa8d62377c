#pragma once
// core/infer: running a trained model: engines, effects, temporal masks, the test and video jobs.
// Runs a trained model on images of any size: a checkpoint (.ckpt, eager LibTorch), an exported TorchScript
// module (.pt) or an exported ONNX file (.onnx, OpenCV DNN). The model's own preprocessing (size, resize rule,
// colour order, normalisation, prior channel) comes from its metadata, so callers need no config, and the
// foreground probability comes back at the image's original size.
#include <opencv2/core.hpp>

#include <memory>
#include <string>
#include <vector>

#include "core/model_io/model_meta.h"

namespace pseg {


// How the image (and prior) is resized to the model's input size. Auto follows the reference inference scripts
// (data.md §6.5) and reproduces the published reference accuracies: INTER_AREA when the image shrinks on both
// axes, INTER_LINEAR otherwise. Linear/Cubic reproduce the training evaluation pipeline (stretch: bilinear,
// pad_to_square: bicubic). The probability always goes back bilinearly.
enum class ResizeInterpolation { Auto, Area, Linear, Cubic };

std::string to_string(ResizeInterpolation interpolation);
// Throws std::invalid_argument naming the accepted values.
ResizeInterpolation parse_resize_interpolation(const std::string& s);

struct PredictorOptions {
  std::string engine;  // "" = chosen by the file's extension; else an engine_registry() name that opens such files
  std::string device = "cpu";  // torch device string; OpenCV DNN runs on the CPU whatever this says
  ResizeInterpolation interpolation = ResizeInterpolation::Auto;
  // Intra-op threads of this predictor's inferences, whichever thread runs them; 0 = the process's (--threads).
  // What each of several inference workers runs on (core/infer/photo_job.h). The oneDNN engine compiles and runs
  // its net on them; the torch engines set LibTorch's count, which is the process's; OpenCV DNN's pool (TBB) is
  // the process's and keeps its setting.
  int threads = 0;
};

struct PredictTiming {
  double preprocess_ms = 0;
  double inference_ms = 0;
  double postprocess_ms = 0;
};

struct Prediction {
  cv::Mat probability;  // CV_32FC1 at the input image's size, foreground probability in [0, 1]
  PredictTiming timing;
};

class Predictor {
 public:
  virtual ~Predictor() = default;

  const ModelMeta& meta() const { return meta_; }
  // The inference engine running the model: a name from engine_registry() (core/infer/engine_registry.h).
  const std::string& engine() const { return engine_; }
  const std::string& path() const { return path_; }
  const PredictorOptions& options() const { return options_; }

  // `bgr`: 8-bit, 3-channel image of any size. `prior`: the previous frame's probability (CV_32FC1 in [0, 1],
  // any size; resized like the image) for models with a prior channel, empty for "no prior" (zeros); ignored
  // by 3-channel models. `output_size`: the size the probability comes back at; empty = the image's size (a photo
  // decoded at a reduced size gives its full size: core/infer/photo_decode.h). Throws std::invalid_argument for an
  // empty or non-8-bit-BGR image.
  Prediction predict(const cv::Mat& bgr, const cv::Mat& prior = cv::Mat(), cv::Size output_size = cv::Size());

  // The probabilities of several images (no prior), in one net run when the engine takes any batch (checkpoints,
  // files exported with --dynamic-batch), one image at a time otherwise.
  std::vector<cv::Mat> predict_batch(const std::vector<cv::Mat>& images);
  bool takes_any_batch() const;

  // The net alone: `blob` is a preprocessed 4-D CV_32F NCHW input at the model's size (N >= 1); returns the
  // foreground probability as a 4-D CV_32F N x 1 x H x W blob. What benchmarks time.
  virtual cv::Mat infer(const cv::Mat& blob) = 0;

  // Preprocessing alone: image (and prior) to the 1 x C x H x W blob `infer` takes.
  cv::Mat preprocess(const cv::Mat& bgr, const cv::Mat& prior = cv::Mat()) const;

  // Postprocessing alone: one 1 x 1 x H x W probability blob back to a CV_32FC1 map of `size` (undoing the
  // resize or the square padding; bilinear on the probability).
  cv::Mat postprocess(const cv::Mat& probability_blob, cv::Size size) const;

 protected:
  Predictor(ModelMeta meta, std::string engine, std::string path, PredictorOptions options)
      : meta_(std::move(meta)), engine_(std::move(engine)), path_(std::move(path)), options_(std::move(options)) {}

 private:
  ModelMeta meta_;
  std::string engine_;
  std::string path_;
  PredictorOptions options_;
};

// The preprocessing every engine shares, for callers without a Predictor (int8 calibration): `bgr` (and
// `prior`) to the 1 x C x H x W CV_32F blob the model at `meta` takes.
cv::Mat preprocess_image(const cv::Mat& bgr, const cv::Mat& prior, const ModelMeta& meta,
                         ResizeInterpolation interpolation = ResizeInterpolation::Auto);

// Picks the engine by extension (.ckpt, .pt, .onnx) unless options.engine names one. Throws std::runtime_error
// naming the file when it is missing or unreadable, or has no portraitseg metadata; std::invalid_argument for an
// unknown extension or engine, or an engine that does not open this kind of file.
std::unique_ptr<Predictor> open_predictor(const std::string& model_path, const PredictorOptions& options = {});

}  // namespace pseg
