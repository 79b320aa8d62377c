// The OpenCV DNN engine: an exported .onnx file, run on the CPU.
#include <opencv2/dnn.hpp>
#include <torch/torch.h>

#include <stdexcept>

#include "core/infer/predictor_engines.h"

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
    if (meta().output == ExportHead::Probability && out.type() == CV_32F) return out.clone();
    cv::Mat as_float;
    out.convertTo(as_float, CV_32F);
    const std::vector<int64_t> sizes(as_float.size.p, as_float.size.p + as_float.dims);
    const torch::Tensor t = torch::from_blob(as_float.ptr<float>(), sizes, torch::kFloat);
    return blob_from_tensor(probability_from_output(t, meta()));
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
