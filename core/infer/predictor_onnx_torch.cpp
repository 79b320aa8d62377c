// The LibTorch ONNX engine: an exported .onnx file of any precision run op by op in LibTorch on the CPU. The
// engine fp16 and int8 files open with (OpenCV DNN 4.6 loads neither); int8 QDQ graphs run as exact fake
// quantisation in float32.
#include <torch/torch.h>

#include <stdexcept>

#include "core/infer/predictor_engines.h"
#include "core/onnx_exec/onnx_executor.h"

namespace pseg {
namespace {

class OnnxTorchPredictor : public Predictor {
 public:
  OnnxTorchPredictor(const std::string& path, ModelMeta meta, const PredictorOptions& options)
      : Predictor(std::move(meta), "onnx-torch", path, options), executor_(load(path)) {}

  cv::Mat infer(const cv::Mat& blob) override {
    check_input_blob(blob, meta());
    use_torch_threads(options().threads);
    c10::InferenceMode inference;
    torch::Tensor out;
    try {
      out = executor_.run(tensor_from_blob(blob, torch::kCPU));
    } catch (const std::exception& e) {
      throw std::runtime_error(path() + ": " + e.what());
    }
    return probability_blob(blob_from_tensor(out), meta());
  }

 private:
  static OnnxExecutor load(const std::string& path) {
    try {
      return OnnxExecutor(read_onnx_model(path));
    } catch (const std::runtime_error& e) {
      const std::string why = e.what();
      throw std::runtime_error(why.rfind(path, 0) == 0 ? why : path + ": " + why);
    }
  }

  OnnxExecutor executor_;
};

}  // namespace

EngineEntry onnx_torch_engine() {
  EngineEntry e{"onnx-torch", "an exported ONNX file of any precision (fp32, fp16, int8) run op by op in LibTorch (CPU)",
                ".onnx", "onnx", false,
                [](const std::string& path, const PredictorOptions& options) -> std::unique_ptr<Predictor> {
                  return std::make_unique<OnnxTorchPredictor>(path, read_onnx_meta(path), options);
                }};
  e.precisions = {"fp32", "fp16", "int8"};
  e.read_meta = read_onnx_meta;
  return e;
}

}  // namespace pseg
