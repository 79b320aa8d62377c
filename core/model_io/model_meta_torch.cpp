// The metadata parts that need LibTorch: describing a net for export, reading a TorchScript archive. The rest of
// core/model_io/model_meta.h (JSON, ONNX files) is torch-free (model_meta.cpp).
#include "core/model_io/model_meta.h"

#include <caffe2/serialize/inline_container.h>
#include <onnx/common/version.h>
#include <torch/version.h>

#include <memory>
#include <stdexcept>
#include <variant>

#include "core/model_io/torch_archive.h"
#include "nets/segnet.h"

namespace pseg {
namespace {

std::string color_name(ColorOrder c) { return c == ColorOrder::BGR ? "bgr" : "rgb"; }
std::string resize_name(ResizeMode m) { return m == ResizeMode::PadToSquare ? "pad_to_square" : "stretch"; }

}  // namespace

ModelMeta meta_for(const SegNetImpl& net, ExportHead head, float threshold) {
  const InputSpec& spec = net.input_spec();
  ModelMeta m;
  m.net = net.config().net;
  m.description = net.describe();
  for (const auto& option : net.config().options.values())
    std::visit([&](const auto& x) { m.options[option.first] = x; }, option.second);
  m.channels = spec.channels;
  m.height = spec.height;
  m.width = spec.width;
  m.size_multiple = spec.size_multiple;
  m.color_order = color_name(spec.color);
  m.normalization = spec.normalization;
  m.mean = spec.mean;
  m.scale = spec.scale;
  m.prior_channel = spec.prior_channel;
  m.resize = resize_name(spec.resize);
  m.pad_value = spec.pad_value;
  m.output = head;
  m.logit_channels = spec.logit_channels;
  m.output_channels = head == ExportHead::Logits ? spec.logit_channels : 1;
  m.threshold = threshold;
  m.torch_version = TORCH_VERSION;
  m.onnx_version = onnx::LAST_RELEASE_VERSION;
  return m;
}

ModelMeta read_torchscript_meta(const std::string& path) {
  check_torch_archive(path, "TorchScript archive");
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader;
  try {
    reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
  } catch (const c10::Error&) {
    throw std::runtime_error(path + ": not a TorchScript archive");
  }
  const std::string record = std::string("extra/") + kMetaKey;
  if (!reader->hasRecord(record)) throw std::runtime_error(path + ": TorchScript archive has no " + record);
  auto [data, size] = reader->getRecord(record);
  const std::string text(static_cast<const char*>(data.get()), size);
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw std::runtime_error(path + ": " + record + " is not valid JSON");
  return meta_from_json(j, path);
}

}  // namespace pseg
