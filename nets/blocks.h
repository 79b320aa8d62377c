#pragma once
// Building blocks and numerical conventions shared by the nets. Each convention that must match a
// reference framework lives here once, with a unit test in tests/nets/test_blocks.cpp.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/types.h>

#include <cstdint>
#include <mutex>

namespace pseg::blocks {

// TF padding='same' for a k=3, stride-2 conv on an even input: pad bottom and right by one, nothing on top/left.
torch::Tensor tf_same_pad_stride2(const torch::Tensor& x);

// TF Conv2DTranspose(k=3, s=2, padding='same') = full transposed conv (2H+1) minus the last row and column.
// Written with slice(..., -1) so a trace stays resolution-independent; in training a copy in y's memory format.
torch::Tensor tf_deconv_crop(const torch::Tensor& y);

// TF1 legacy 2x bilinear resize (align_corners=False, half_pixel_centers=False): out[2k] = in[k],
// out[2k+1] = (in[k] + in[k+1]) / 2, last sample clamped. Pad/average/interleave form, no size arithmetic.
torch::Tensor legacy_bilinear_up2(const torch::Tensor& x);

// 2x bilinear resize with align_corners=True, by scale factor (traces resolution-independent).
torch::Tensor align_corners_up2(const torch::Tensor& x);

// ONNX opset-8 Upsample (mode linear) to size (H, W): asymmetric, source coordinate dst * h / H, neighbours clamped
// at the last row/column. Computed as align-corners from the map replicate-padded by one row and column to (H+1, W+1),
// cropped (nets_more.md §1.5).
torch::Tensor asymmetric_resize(const torch::Tensor& x, int64_t height, int64_t width);

// ReLU6. Run eagerly it is one clamp (TF's min(max(x, 0), 6)): one pass over the tensor, forward and backward. A
// trace (the exports) records relu(x) - relu(x - 6) instead: an ONNX form OpenCV 4.6 accepts, and a TorchScript graph
// that LibTorch 1.13's optimize_for_inference runs without warning (its oneDNN rewrite of hardtanh resizes outputs).
// The values are the clamp's: exactly up to 12, where x - 6 is exact, and within half an ulp of x above.
torch::Tensor relu6(const torch::Tensor& x);

// The transposed convolution `m` applied to `x`. On the CPU and with a stride, it runs as the data gradient of the
// convolution it transposes, which ATen computes with oneDNN for float: 1.4-5x faster per layer at batch 1 than ATen's
// own transposed kernel, which also zero-fills its output first (double takes the same route through ATen's reference
// kernels, which lets the tests check the gradients to float64 rounding). In training its gradients are oneDNN's too:
// the convolution for the input, and that convolution's weight gradient for the weight (ATen's own run im2col and
// OpenBLAS). Traces (the exports) and a TracedFormGuard run m's own forward.
torch::Tensor conv_transpose(torch::nn::ConvTranspose2dImpl& m, const torch::Tensor& x);

// The 1x1 convolution `conv` over the channels of `pooled` (N x P x 1 x 1) replicated over x's map, then those of `x`:
// conv(cat(align-corners resize of pooled to x's size, x)), as DeepLabV3's head reads its image-pooling branch.
// The replicated channels add the same sum at every pixel, so outside traces and TracedFormGuards it convolves
// `pooled` by the first P input channels' weights at 1x1 and adds that to the convolution of `x` by the others: no
// replicated map, no concatenation, and half the products at DeepLabV3's size (its head 15 -> 5 ms in a Python
// timing of the same ops). Values agree within float rounding (the sums run in another order), gradients too.
torch::Tensor conv1x1_after_replicated(torch::nn::Conv2dImpl& conv, const torch::Tensor& pooled,
                                       const torch::Tensor& x);

// The kernels legacy_bilinear_up2_conv3x3 runs for one 3x3 convolution: the spreading kernels, which depend only on
// its output channels, and for inference its taps, kept with the weight they were made from.
struct LegacyUp2ConvKernel {
  std::mutex mutex;  // one net may serve several threads
  torch::Tensor weight;  // the weight `taps` was made from, sharing its storage
  int64_t weight_version = -1;
  torch::Tensor taps;                // (co * 9, ci, 1, 1): the nine taps as 1x1 convolutions
  torch::Tensor spread;              // (co * 9, 1, 5, 5): each tap's pixel through the upsampling
  torch::Tensor spread_last_row;     // (co * 3, 1, 1, 5): kernel row 2's taps along W
  torch::Tensor spread_last_column;  // (co * 3, 1, 5, 1): kernel column 2's taps along H
};

// conv(legacy_bilinear_up2(x)) for a 3x3, stride-1, padding-1, ungrouped convolution `conv`. On the CPU, outside
// traces and from 8x8 inputs up, it runs the nine taps as 1x1 convolutions at x's resolution, then spreads and sums
// them into the output with one grouped transposed convolution (oneDNN's backward-data kernel; its gradient is a
// grouped convolution): a quarter of the direct form's products, and no upsampled map. Traces (the exports) and a
// TracedFormGuard run the two steps. `kernel` caches the kernels for `conv`.
torch::Tensor legacy_bilinear_up2_conv3x3(torch::nn::Conv2dImpl& conv, const torch::Tensor& x,
                                          LegacyUp2ConvKernel& kernel);

// While one is alive on this thread, conv_transpose and legacy_bilinear_up2_conv3x3 run the ops a trace records
// (the modules' own forward, the two steps) instead of their faster forms, which agree within float rounding: to
// compare an exported graph with the eager net bit for bit.
class TracedFormGuard {
 public:
  TracedFormGuard();
  ~TracedFormGuard();
  TracedFormGuard(const TracedFormGuard&) = delete;
  TracedFormGuard& operator=(const TracedFormGuard&) = delete;

 private:
  bool previous_;
};

// ReLU6 of a tensor nothing else reads (a fresh convolution or BatchNorm output). Without autograd (inference) it
// clamps in place, with no new tensor to allocate and fill: 0.3 instead of 1.0 ms on DeepLabV3's 144 x 257 x 257 maps.
torch::Tensor relu6_(torch::Tensor x);

// Keras SeparableConv2D: depthwise k x k (no bias) then pointwise 1x1 (bias), no activation between.
struct SeparableConv2dImpl : torch::nn::Module {
  SeparableConv2dImpl(int64_t in, int64_t out, int64_t kernel, int64_t dilation = 1);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Conv2d depthwise{nullptr}, pointwise{nullptr};
};
TORCH_MODULE(SeparableConv2d);

// Options for a Conv2d with the given padding, stride, dilation, groups and bias.
torch::nn::Conv2dOptions conv_options(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t padding = 0,
                                      bool bias = true, int64_t groups = 1, int64_t dilation = 1);

// Keras default init on every Conv2d / ConvTranspose2d below `m`: glorot_uniform kernels, zero biases.
void glorot_init(torch::nn::Module& m);
// Keras he_normal: normal(0, sqrt(2 / fan_in)) truncated at two standard deviations (values redrawn).
void he_normal_truncated_(torch::Tensor& w);

}  // namespace pseg::blocks
