// The TorchScript engine: an exported .pt module through torch::jit::load, frozen (weights inlined, BatchNorm
// folded into the convolutions) and optimised for inference (oneDNN layouts where they pay off).
#include <spdlog/spdlog.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <stdexcept>

#include "core/torch_runtime/device.h"
#include "core/infer/predictor_engines.h"
#include "core/model_io/torch_archive.h"

namespace pseg {
namespace {

class TorchScriptPredictor : public Predictor {
 public:
  TorchScriptPredictor(const std::string& path, ModelMeta meta, const PredictorOptions& options)
      : Predictor(std::move(meta), "torchscript", path, options), device_(parse_device(options.device)) {
    try {
      check_torch_archive(path, "TorchScript archive");
      module_ = torch::jit::load(path, device_);
      module_.eval();
      module_ = torch::jit::freeze(module_);
    } catch (const c10::Error& e) {
      throw std::runtime_error(path + ": torch::jit::load failed: " + e.what_without_backtrace());
    }
    try {
      module_ = torch::jit::optimize_for_inference(module_);
    } catch (const c10::Error& e) {
      spdlog::warn("{}: optimize_for_inference failed, running the frozen module: {}", path,
                   e.what_without_backtrace());
    }
  }

  cv::Mat infer(const cv::Mat& blob) override {
    check_input_blob(blob, meta());
    use_torch_threads(options().threads);
    c10::InferenceMode inference;
    torch::Tensor out;
    try {
      out = module_.forward({tensor_from_blob(blob, device_)}).toTensor();
    } catch (const c10::Error& e) {
      throw std::runtime_error(path() + ": TorchScript forward failed: " + e.what_without_backtrace());
    }
    return probability_blob(blob_from_tensor(out), meta());
  }

 private:
  torch::Device device_;
  torch::jit::Module module_;
};

}  // namespace

EngineEntry torchscript_engine() {
  return {"torchscript", "an exported TorchScript module, frozen and optimised for inference", ".pt", "torchscript",
          false, [](const std::string& path, const PredictorOptions& options) -> std::unique_ptr<Predictor> {
            return std::make_unique<TorchScriptPredictor>(path, read_torchscript_meta(path), options);
          }};
}

}  // namespace pseg
