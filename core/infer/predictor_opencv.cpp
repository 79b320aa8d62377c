// The OpenCV DNN engine: an exported .onnx file, run on the CPU. Torch-free: the `portraitseg` launcher runs it
// without loading LibTorch (tools/launcher.cpp).
#include <opencv2/dnn.hpp>

#include <stdexcept>

#include "core/infer/engine_blob.h"
#include "core/infer/engine_registry.h"

namespace pseg {
namespace {

class OpenCvPredictor : public Predictor {
 public:
  OpenCvPredictor(const std::string& path, ModelMeta meta, const PredictorOptions& options)
      : Predictor(std::move(meta), "opencv", path, options) {
    try {
      net_ = cv::dnn::readNetFromONNX(path);
    } catch (const cv::Exception& e) {
      throw std::runtime_error(path + ": OpenCV DNN cannot load the model: " + e.what());
    }
  }

  cv::Mat infer(const cv::Mat& blob) override {
    check_input_blob(blob, meta());
    cv::Mat out;
    try {
      net_.setInput(blob, "input");
      out = net_.forward();
    } catch (const cv::Exception& e) {
      throw std::runtime_error(path() + ": OpenCV DNN cannot run the model: " + e.what());
    }
    return probability_blob(out, meta());
  }

 private:
  cv::dnn::Net net_;
};

}  // namespace

EngineEntry opencv_engine() {
  EngineEntry e{"opencv", "an exported fp32 ONNX file in OpenCV DNN (CPU)", ".onnx", "onnx", true,
                [](const std::string& path, const PredictorOptions& options) -> std::unique_ptr<Predictor> {
                  return std::make_unique<OpenCvPredictor>(path, read_onnx_meta(path), options);
                }};
  e.read_meta = read_onnx_meta;
  return e;
}

}  // namespace pseg
