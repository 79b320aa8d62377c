#include "nets/deeplab_v3.h"

#include <torch/torch.h>

#include "nets/blocks.h"
#include "nets/net_util.h"
#include "nets/registry.h"

namespace pseg {
namespace {

struct DeepLabBlock {
  const char* name;
  int64_t in, mid, out, stride, dilation;
  bool expand;
};

// TF-slim MobileNetV2 dm 0.5 at output stride 8 (nets_more.md §1.3).
constexpr DeepLabBlock kDeepLabBlocks[] = {
    {"expanded_conv", 16, 16, 8, 1, 1, false},    {"expanded_conv_1", 8, 48, 12, 2, 1, true},
    {"expanded_conv_2", 12, 72, 12, 1, 1, true},  {"expanded_conv_3", 12, 72, 16, 2, 1, true},
    {"expanded_conv_4", 16, 96, 16, 1, 1, true},  {"expanded_conv_5", 16, 96, 16, 1, 1, true},
    {"expanded_conv_6", 16, 96, 32, 1, 1, true},  {"expanded_conv_7", 32, 192, 32, 1, 2, true},
    {"expanded_conv_8", 32, 192, 32, 1, 2, true}, {"expanded_conv_9", 32, 192, 32, 1, 2, true},
    {"expanded_conv_10", 32, 192, 48, 1, 2, true}, {"expanded_conv_11", 48, 288, 48, 1, 2, true},
    {"expanded_conv_12", 48, 288, 48, 1, 2, true}, {"expanded_conv_13", 48, 288, 80, 1, 2, true},
    {"expanded_conv_14", 80, 480, 80, 1, 4, true}, {"expanded_conv_15", 80, 480, 80, 1, 4, true},
    {"expanded_conv_16", 80, 480, 160, 1, 4, true},
};
constexpr int64_t kDeepLabHead = 256;

// The head's BatchNorm: TF's 1e-5 raised to FusedBatchNorm's minimum, as stored in the file.
SyncBatchNorm2d head_bn(int64_t c) {
  return SyncBatchNorm2d(torch::nn::BatchNorm2dOptions(c).eps(1.001e-5).momentum(0.003));
}

// True for align_corners, false for asymmetric.
bool parse_upsample(const std::string& v) {
  if (v != "align_corners" && v != "asymmetric")
    throw std::invalid_argument("model.upsample: expected \"align_corners\" or \"asymmetric\", got \"" + v + "\"");
  return v == "align_corners";
}

InputSpec deeplab_spec() {
  InputSpec s = symmetric_rgb_softmax_spec(513, 8);
  s.size_offset = 1;  // 8k + 1
  return s;
}

}  // namespace

DeepLabV3Impl::DeepLabV3Impl(const ModelConfig& config, const InputSpec& spec)
    : SegNetImpl("DeepLabV3", config, spec), align_corners(parse_upsample(config.options.get_string("upsample"))) {
  using blocks::conv_options;
  Conv = register_module("Conv", torch::nn::Conv2d(conv_options(spec.channels, 16, 3, 2, 1, false)));
  Conv_BatchNorm = register_module("Conv_BatchNorm", mobilenet_bn(16));
  for (const auto& b : kDeepLabBlocks) {
    const auto o = InvertedResidualOptions(b.in, b.mid, b.out)
                       .stride(b.stride)
                       .dilation(b.dilation)
                       .expand(b.expand)
                       .odd_size_padding(true);
    encoder_blocks.push_back(register_module(b.name, InvertedResidual(o)));
  }
  const int64_t features = kDeepLabBlocks[std::size(kDeepLabBlocks) - 1].out;
  aspp0 = register_module("aspp0", torch::nn::Conv2d(conv_options(features, kDeepLabHead, 1, 1, 0, false)));
  aspp0_BatchNorm = register_module("aspp0_BatchNorm", head_bn(kDeepLabHead));
  image_pooling = register_module("image_pooling", torch::nn::Conv2d(conv_options(features, kDeepLabHead, 1, 1, 0, false)));
  image_pooling_BatchNorm = register_module("image_pooling_BatchNorm", head_bn(kDeepLabHead));
  concat_projection =
      register_module("concat_projection", torch::nn::Conv2d(conv_options(2 * kDeepLabHead, kDeepLabHead, 1, 1, 0, false)));
  concat_projection_BatchNorm = register_module("concat_projection_BatchNorm", head_bn(kDeepLabHead));
  logits = register_module("logits", torch::nn::Conv2d(conv_options(kDeepLabHead, 2, 1)));
  blocks::glorot_init(*this);
}

std::vector<ConvBnPair> DeepLabV3Impl::conv_bn_pairs() const {
  return {{Conv.ptr(), Conv_BatchNorm},
          {aspp0.ptr(), aspp0_BatchNorm},
          {image_pooling.ptr(), image_pooling_BatchNorm},
          {concat_projection.ptr(), concat_projection_BatchNorm}};
}

NetOutput DeepLabV3Impl::forward(const torch::Tensor& x) {
  auto y = blocks::relu6_(Conv_BatchNorm(Conv(x)));
  for (auto& block : encoder_blocks) y = block(y);
  const auto branch = torch::relu(aspp0_BatchNorm(aspp0(y)));
  // Image pooling: the mean of the whole map through a 1x1 conv, replicated over the map (align-corners resize of a
  // 1x1 map, as the file's Upsample does) and concatenated before the branch; conv1x1_after_replicated adds its
  // share of the projection instead, outside exports.
  auto pooled = torch::adaptive_avg_pool2d(y, {1, 1});
  pooled = torch::relu(image_pooling_BatchNorm(image_pooling(pooled)));
  y = torch::relu(concat_projection_BatchNorm(blocks::conv1x1_after_replicated(*concat_projection, pooled, branch)));
  y = logits(y);
  const int64_t H = x.size(2), W = x.size(3);
  if (align_corners) return {at::upsample_bilinear2d(y, std::vector<int64_t>{H, W}, true), {}};
  return {blocks::asymmetric_resize(y, H, W), {}};
}

NetEntry deeplab_v3_entry() {
  NetEntry e;
  e.name = "deeplab_v3";
  e.summary = "DeepLabV3: MobileNetV2 dm 0.5 at output stride 8, image pooling + 1x1 head, 513x513 RGB [-1,1], "
              "softmax head";
  OptionSpec upsample;
  upsample.key = "upsample";
  upsample.kind = OptionSpec::Kind::Choice;
  upsample.default_value = std::string("align_corners");
  upsample.choices = {"align_corners", "asymmetric"};
  upsample.help = "final logits upsampling: align_corners (TF, as trained) or asymmetric (the ONNX file's Upsample)";
  e.options = {upsample};
  e.create = [](const ModelConfig& config) -> std::shared_ptr<SegNetImpl> {
    return std::make_shared<DeepLabV3Impl>(config, configured_spec(deeplab_spec(), config));
  };
  return e;
}

}  // namespace pseg
