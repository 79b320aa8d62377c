#pragma once
// The memory format of a module's convolution weights. Channels-last weights make ATen run each convolution, and
// the activations after it, in NHWC (train.channels_last); stored weights are always contiguous.
#include <torch/nn/module.h>

#include <utility>
#include <vector>

namespace pseg {

// Sets every 4-D parameter of `module` and its children to `format`, in place: the parameters stay the tensors the
// module and its optimiser hold, only their storage is replaced.
void set_weight_memory_format(torch::nn::Module& module, c10::MemoryFormat format);

// Keeps `module`'s 4-D parameters contiguous for its lifetime, then gives each changed one back its own format.
// Serialising archives hold the parameter tensors themselves, so the guard must outlive the write, not just the
// archive's construction.
class ContiguousWeights {
 public:
  explicit ContiguousWeights(torch::nn::Module& module);
  ~ContiguousWeights();
  ContiguousWeights(const ContiguousWeights&) = delete;
  ContiguousWeights& operator=(const ContiguousWeights&) = delete;

 private:
  std::vector<std::pair<torch::Tensor, c10::MemoryFormat>> changed_;
};

}  // namespace pseg
