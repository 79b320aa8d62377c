// The LibTorch engine: the eager net rebuilt from a training checkpoint, its BatchNorms folded into the
// convolutions before them, run in the memory format it was trained in.
#include <torch/torch.h>

#include "core/model_io/checkpoint.h"
#include "core/infer/predictor_engines.h"
#include "core/torch_runtime/memory_format.h"
#include "nets/conv_bn_fold.h"

namespace pseg {
namespace {

// The net's preprocessing and output contract, as an export of it would record, and who wrote the checkpoint.
ModelMeta checkpoint_meta(const LoadedCheckpoint& ckpt) {
  ModelMeta meta = meta_for(*ckpt.net, ExportHead::Probability, 0.5f);
  if (!ckpt.producer.empty()) meta.producer = ckpt.producer;
  return meta;
}

class LibTorchPredictor : public Predictor {
 public:
  LibTorchPredictor(LoadedCheckpoint ckpt, const PredictorOptions& options)
      : Predictor(checkpoint_meta(ckpt), "libtorch", ckpt.path, options),
        net_(ckpt.net),
        device_(options.device) {
    net_->eval();
    fold_batch_norms(*net_);
    // Channels-last weights make ATen run every convolution and the activations after it in NHWC, as training
    // did: 6-36 % faster at batch 1, slower for Mobile-Unet bilinear, whose config turns it off.
    if (ckpt.config.train.channels_last && !ckpt.config.train.quantization_aware)
      set_weight_memory_format(*net_, c10::MemoryFormat::ChannelsLast);
  }

  cv::Mat infer(const cv::Mat& blob) override {
    check_input_blob(blob, meta());
    use_torch_threads(options().threads);
    // Inference mode, not just no-grad: no version counters or view tracking on the activations.
    c10::InferenceMode inference;
    return blob_from_tensor(foreground_probability(net_->forward(tensor_from_blob(blob, device_)).mask_logits));
  }

 private:
  SegNet net_;
  torch::Device device_;
};

}  // namespace

EngineEntry libtorch_engine() {
  return {"libtorch",
          "the eager net rebuilt from a training checkpoint, BatchNorm folded, in its training memory format", ".ckpt",
          "", false,
          [](const std::string& path, const PredictorOptions& options) -> std::unique_ptr<Predictor> {
            return std::make_unique<LibTorchPredictor>(load_checkpoint(path, options.device), options);
          }};
}

}  // namespace pseg
