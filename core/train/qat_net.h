#pragma once
// Quantisation-aware fine-tuning (train.quantization_aware): a trained net's deploy graph, BatchNorm folded as the
// int8 export writes it, trained through LibTorch's fake quantisation: int8 weights per output channel, uint8
// activations per tensor at every place the QDQ export quantises. Activation ranges follow a moving min/max until
// the observers are frozen; the int8 file written from it holds the trained weights and those ranges.
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/export/export_onnx.h"
#include "core/export/onnx_int8.h"
#include "core/onnx_exec/onnx_executor.h"
#include "nets/segnet.h"

namespace pseg {

class QatNetImpl : public SegNetImpl {
 public:
  // Traces `float_net` (its eval-mode deploy path, logits head) on the CPU; its weights become this net's.
  explicit QatNetImpl(SegNetImpl& float_net);

  NetOutput forward(const torch::Tensor& x) override;

  void freeze_observers() { frozen_ = true; }
  bool observers_frozen() const { return frozen_; }
  const std::map<std::string, ActivationRange>& ranges() const { return ranges_; }

  // The int8 QDQ model of the current weights and ranges (meta: logits head, precision int8, scheme qdq, qat).
  OnnxModel int8_model() const;

 private:
  struct Weight {
    std::string onnx_name;
    torch::Tensor param;
    bool quantised = false;  // a Conv/ConvTranspose weight (biases and PRelu slopes stay float)
    std::string op;
    int64_t group = 1;
  };

  torch::Tensor fake_quant_activation(const std::string& name, const torch::Tensor& v);

  OnnxModel graph_;  // fp32, logits head
  std::unique_ptr<OnnxExecutor> executor_;
  std::vector<Weight> weights_;
  std::unordered_set<std::string> activations_;
  std::map<std::string, ActivationRange> ranges_;
  bool frozen_ = false;
};
TORCH_MODULE(QatNet);

}  // namespace pseg
