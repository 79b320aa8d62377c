#pragma once
// Shared by the predictor and evaluator tests: an untrained net saved as a checkpoint and exported from it.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <torch/torch.h>

#include "core/model_io/checkpoint.h"
#include "core/config/config.h"
#include "core/export/export_job.h"
#include "nets/registry.h"

namespace pseg::test {

// Small "model" sections for write_tiny_model: Prisma-Net, and PortraitNet with the prior channel.
inline const nlohmann::json kPrisma = {{"net", "prisma_net"}, {"input_size", {64, 64}}};
inline const nlohmann::json kPortraitVideo = {{"net", "portrait_net"}, {"in_channels", 4}, {"input_size", {64, 64}}};

// The model files of one net: the checkpoint and its .pt/.onnx exports (probability head).
struct TinyModel {
  std::string ckpt, pt, onnx;
};

// Deep untrained nets saturate (probabilities of exactly 0 or 1), which hides what their inputs change. Scales
// the parameters of the final layer (names starting with `head_prefix`) so logits of a random input stay near ±4.
inline void desaturate(SegNetImpl& net, const std::string& head_prefix) {
  torch::NoGradGuard no_grad;
  net.eval();
  const auto& s = net.input_spec();
  const double peak = net.forward(torch::randn({1, s.channels, s.height, s.width})).mask_logits.abs().max().item<double>();
  for (auto& p : net.named_parameters())
    if (p.key().rfind(head_prefix, 0) == 0) p.value().mul_(4.0 / std::max(peak, 1e-6));
}

// Saves an untrained, seeded net of `config` (a whole config document) as <dir>/<name>.ckpt and returns its path;
// with `head_prefix`, desaturated first.
inline std::string write_tiny_checkpoint(const std::filesystem::path& dir, const std::string& name,
                                         const nlohmann::json& config_json, const std::string& head_prefix = "") {
  const Config config = parse_config(config_json, name + ".json");
  torch::manual_seed(5);
  SegNet net = create_net(config.model);
  if (!head_prefix.empty()) desaturate(*net, head_prefix);
  const std::string path = (dir / (name + ".ckpt")).string();
  save_checkpoint(path, config, *net, TrainingState{}, nullptr);
  return path;
}

// Saves an untrained, seeded `model` (a config "model" section) as <dir>/<name>.ckpt and exports it; with
// `head_prefix`, desaturated first.
inline TinyModel write_tiny_model(const std::filesystem::path& dir, const std::string& name,
                                  const nlohmann::json& model, ExportHead head = ExportHead::Probability,
                                  const std::string& head_prefix = "") {
  TinyModel m;
  m.ckpt = write_tiny_checkpoint(dir, name, {{"model", model}}, head_prefix);
  ExportOptions o;
  o.model = m.ckpt;
  o.out = dir.string();
  o.head = head;
  o.verify = false;
  run_export(o);
  m.pt = (dir / (name + ".pt")).string();
  m.onnx = (dir / (name + ".onnx")).string();
  return m;
}

// A smooth, deterministic colour image with some structure (a bright ellipse on a gradient).
inline cv::Mat test_image(int rows, int cols, int seed = 0) {
  cv::Mat img(rows, cols, CV_8UC3);
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x) {
      const double dx = (x - cols / 2.0) / (cols / 3.0), dy = (y - rows / 2.0) / (rows / 2.5);
      const bool inside = dx * dx + dy * dy < 1.0;
      img.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uint8_t>((x * 255 / cols + seed * 40) % 256),
                                          static_cast<uint8_t>(y * 255 / rows), inside ? 220 : 30);
    }
  return img;
}

}  // namespace pseg::test
