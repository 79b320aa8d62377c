// The oneDNN engine: an exported fp32 .onnx file compiled into oneDNN primitives with fused epilogues
// (core/onnx_exec/onednn_net.h), on the CPU.
#include <stdexcept>

#include "core/common/runtime.h"
#include "core/infer/engine_blob.h"
#include "core/infer/engine_registry.h"
#include "core/onnx_exec/onednn_net.h"
#include "core/onnx_exec/onnx_file.h"

namespace pseg {
namespace {

class OnednnPredictor : public Predictor {
 public:
  OnednnPredictor(const std::string& path, ModelMeta meta, const PredictorOptions& options)
      : Predictor(std::move(meta), "onednn", path, options), net_(compile(path, options.threads)) {
    const auto& in = net_.input_dims();
    const auto& out = net_.output_dims();
    const ModelMeta& m = this->meta();
    if (in[1] != m.channels || in[2] != m.height || in[3] != m.width || out[0] != in[0] || out[2] != in[2] ||
        out[3] != in[3])
      throw std::runtime_error(path + ": the graph's input or output size differs from its metadata");
  }

  // The blob in runs of the graph's own batch (channels and size are the metadata's, checked to be the graph's).
  cv::Mat infer(const cv::Mat& blob) override {
    check_input_blob(blob, meta());
    const auto& in = net_.input_dims();
    const auto& out = net_.output_dims();
    if (blob.size[0] % in[0] != 0)
      throw std::invalid_argument(path() + ": the oneDNN engine runs batches of " + std::to_string(in[0]));
    const cv::Mat input = blob.isContinuous() ? blob : blob.clone();
    const int sizes[] = {blob.size[0], static_cast<int>(out[1]), static_cast<int>(out[2]), static_cast<int>(out[3])};
    cv::Mat output(4, sizes, CV_32F);
    const int64_t runs = blob.size[0] / in[0], in_step = in[0] * in[1] * in[2] * in[3],
                  out_step = out[0] * out[1] * out[2] * out[3];
    // oneDNN sizes some kernels' thread split when it compiles them, others when they run: both under one count.
    const OpenMpThreadsScope threads(options().threads);
    try {
      for (int64_t i = 0; i < runs; ++i) net_.run(input.ptr<float>() + i * in_step, output.ptr<float>() + i * out_step);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(path() + ": " + e.what());
    }
    return probability_blob(output, meta());
  }

 private:
  static OnednnNet compile(const std::string& path, int threads) {
    const onnx::ModelProto model = read_onnx_model(path);
    const OpenMpThreadsScope scope(threads);
    try {
      return OnednnNet(model);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(path + ": the oneDNN engine cannot run the model: " + e.what());
    }
  }

  OnednnNet net_;
};

}  // namespace

EngineEntry onednn_engine() {
  EngineEntry e{"onednn", "an exported fp32 ONNX file compiled into oneDNN kernels with fused activations (CPU)",
                ".onnx", "onnx", true,
                [](const std::string& path, const PredictorOptions& options) -> std::unique_ptr<Predictor> {
                  return std::make_unique<OnednnPredictor>(path, read_onnx_meta(path), options);
                }};
  e.read_meta = read_onnx_meta;
  return e;
}

}  // namespace pseg
