#pragma once
// Slim-Net (anilsathyan7/Portrait-Segmentation slim512), 512x512 RGB/255, 2-channel logits. nets.md §6.
// Sub-module names follow nets.md §6.2-6.4 so Keras layers map onto them (keras_layer_map, §6.6).
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/conv.h>

#include <string>
#include <utility>
#include <vector>

#include "nets/blocks.h"
#include "nets/segnet.h"

namespace pseg {

// Middle of an encoder bottleneck: depthwise stack, 5x5 separable, or dilated 3x3 (which widens proj -> out).
enum class SlimKind { DW, S5, DIL };

struct SlimEncoderParams {
  int64_t in = 0, proj = 0, out = 0, stride = 1;
  SlimKind kind = SlimKind::DW;
  int64_t dilation = 1;  // DIL only
  bool preluop = false;  // also return the PReLU'd input as a skip
  bool pool = false;     // stride-2 block: max-pooled shortcut, pooled input returned as a skip
};

// encode_bottleneck (§6.2). Registration order = Keras construction order.
struct SlimEncoderImpl : torch::nn::Module {
  explicit SlimEncoderImpl(const SlimEncoderParams& p);
  // (output, skip); skip is undefined unless preluop or pool.
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x);

  SlimEncoderParams params;
  torch::nn::PReLU pa{nullptr}, pp{nullptr}, ps{nullptr}, pm{nullptr};
  torch::nn::Conv2d proj{nullptr}, dw{nullptr}, dil{nullptr}, out{nullptr}, sc{nullptr};
  blocks::SeparableConv2d sep{nullptr};
};
TORCH_MODULE(SlimEncoder);

// decode_bottleneck (§6.3): TF deconv branch + 2x align-corners residual branch, optional concat with res2.
struct SlimDecoderImpl : torch::nn::Module {
  // res2 > 0 = channels of the concatenated skip (pconv); 0 = no concat.
  SlimDecoderImpl(int64_t in, int64_t res2, int64_t p1, int64_t out, int64_t p2);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& res1, const torch::Tensor& res2);

  torch::nn::PReLU pa{nullptr}, p1{nullptr}, p2{nullptr}, pz{nullptr}, pb1{nullptr}, pb2{nullptr};
  torch::nn::Conv2d c1{nullptr}, c2{nullptr}, cr{nullptr}, b1{nullptr}, b2{nullptr}, b3{nullptr}, zc{nullptr};
  torch::nn::ConvTranspose2d up{nullptr};
};
TORCH_MODULE(SlimDecoder);

class SlimNetImpl : public SegNetImpl {
 public:
  SlimNetImpl(const ModelConfig& config, const InputSpec& spec);
  NetOutput forward(const torch::Tensor& x) override;

  // (Keras layer name, module path) for the 208 weighted layers, in §6.6 order: Keras numbers layers per class
  // (conv2d, p_re_lu, separable_conv2d, depthwise_conv2d, conv2d_transpose) in construction order, which is the
  // registration order here.
  std::vector<std::pair<std::string, std::string>> keras_layer_map() const;

  torch::nn::Conv2d s1{nullptr}, s2{nullptr};
  torch::nn::PReLU sp{nullptr};
  std::vector<SlimEncoder> encoders;  // b1..b22
  SlimDecoder d1{nullptr}, d2{nullptr}, d3{nullptr};
  torch::nn::PReLU hp{nullptr}, hp2{nullptr};
  torch::nn::ConvTranspose2d h1{nullptr}, h2{nullptr};
};

}  // namespace pseg
