#include "data/pipeline.h"

#include <opencv2/imgproc.hpp>

#include <cstring>
#include <stdexcept>

#include "data/boundary.h"
#include "data/geometric.h"
#include "data/mask_target.h"
#include "data/photometric.h"
#include "data/planes.h"
#include "data/prior.h"
#include "data/resize.h"

namespace pseg {
namespace {

Planes planes_of(const Sample& s) {
  if (s.image.empty() || s.image.type() != CV_8UC3)
    throw std::runtime_error(s.id + ": expected a decoded 8-bit BGR image");
  if (s.label.size() != s.image.size() || s.label.type() != CV_8UC1)
    throw std::runtime_error(s.id + ": label missing or not the image's size");
  return Planes{s.image, s.label, s.soft, cv::Mat()};
}

// The mask-side outputs every path shares: optional majority filter, boundary, prior and soft.
Example finish(Planes& p, const AugmentConfig& a, const InputFormat& f, const std::string& id) {
  Example e;
  e.id = id;
  e.image = p.image;
  e.label = a.majority_filter ? majority_filter_5x5(p.label) : p.label;
  e.soft = p.soft;
  if (f.channels == 4) e.prior = p.prior.empty() ? cv::Mat::zeros(p.label.size(), CV_32FC1) : p.prior;
  if (a.boundary) e.boundary = boundary_target(e.label);
  return e;
}

Example train_portraitnet(Planes& p, const AugmentConfig& a, const InputFormat& f, Rng& rng,
                          const std::string& id) {
  const cv::Size canvas(f.width, f.height);
  warp_portraitnet(p, draw_portraitnet_matrix(p.image.size(), canvas, a.affine, rng), canvas, f.pad_value);
  if (chance(rng, a.flip_prob)) hflip(p);
  cv::Mat float_mask, ignore;
  if (f.channels == 4) {
    PriorSynthesis s = synthesize_prior(p.image, p.label, a.prior, rng);
    p.prior = s.prior;
    float_mask = s.float_mask;
    ignore = s.ignore;
  }
  cv::Mat texture;
  if (a.texture_view) texture = texture_augment(p.image, a.texture, rng);
  Example e;
  if (float_mask.empty()) {
    e = finish(p, a, f, id);
  } else {
    // The image + mask branch: the target follows the perturbed float mask (`use_float_mask`).
    AugmentConfig no_filter = a;
    no_filter.majority_filter = false;
    p.label = threshold_normalized(float_mask);
    p.label.setTo(255, ignore);
    e = finish(p, no_filter, f, id);
  }
  e.texture_image = texture;
  return e;
}

}  // namespace

const char* to_string(AugmentRecipe r) {
  switch (r) {
    case AugmentRecipe::None: return "none";
    case AugmentRecipe::PortraitNet: return "portraitnet";
    case AugmentRecipe::Keras: return "keras";
    case AugmentRecipe::Slim: return "slim";
  }
  return "?";
}

ExamplePipeline::ExamplePipeline(AugmentConfig augment, InputFormat format, PipelineMode mode)
    : augment_(std::move(augment)), format_(format), mode_(mode) {
  if (format_.channels != 3 && format_.channels != 4)
    throw std::invalid_argument("input format: channels must be 3 or 4, got " + std::to_string(format_.channels));
  if (format_.height <= 0 || format_.width <= 0)
    throw std::invalid_argument("input format: height and width must be positive");
}

Example ExamplePipeline::make(const Sample& s, Rng& rng) const {
  Planes p = planes_of(s);
  const AugmentConfig& a = augment_;
  const AugmentRecipe recipe = mode_ == PipelineMode::Eval ? AugmentRecipe::None : a.recipe;
  try {
    switch (recipe) {
      case AugmentRecipe::PortraitNet:
        return train_portraitnet(p, a, format_, rng, s.id);
      case AugmentRecipe::Keras:
        resize_to_input(p, format_);
        warp_keras(p, draw_keras_matrix(p.image.size(), a.keras, rng), a.keras.soft_mask);
        if (chance(rng, a.flip_prob)) hflip(p);
        return finish(p, a, format_, s.id);
      case AugmentRecipe::Slim: {
        cv::Mat image = p.image.clone();
        slim_color(image, a.slim, rng);
        p.image = image;
        if (chance(rng, a.slim.crop_prob)) crop(p, draw_crop(p.image.size(), a.slim.crop_fraction, rng));
        if (chance(rng, a.flip_prob)) hflip(p);
        resize_to_input(p, format_);
        return finish(p, a, format_, s.id);
      }
      case AugmentRecipe::None:
        resize_to_input(p, format_);
        return finish(p, a, format_, s.id);
    }
  } catch (const cv::Exception& e) {
    throw std::runtime_error(s.id + ": augmentation failed: " + e.what());
  }
  throw std::logic_error("unhandled augmentation recipe");
}

namespace {

void write_plane(const cv::Mat& m, float* dst) {
  cv::Mat fl;
  m.convertTo(fl, CV_32F);
  if (!fl.isContinuous()) fl = fl.clone();
  std::memcpy(dst, fl.ptr<float>(0), fl.total() * sizeof(float));
}

void write_int64(const cv::Mat& m, int64_t* dst) {
  for (int y = 0; y < m.rows; ++y) {
    const auto* row = m.ptr<uint8_t>(y);
    for (int x = 0; x < m.cols; ++x) *dst++ = row[x];
  }
}

torch::Tensor stack_inputs(const std::vector<Example>& ex, const InputFormat& f, bool texture) {
  const int64_t n = static_cast<int64_t>(ex.size());
  torch::Tensor t = torch::empty({n, f.channels, f.height, f.width}, torch::kFloat32);
  const size_t plane = static_cast<size_t>(f.height) * f.width;
  float* base = t.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i) {
    float* dst = base + i * f.channels * plane;
    write_normalised(texture ? ex[i].texture_image : ex[i].image, f, dst);
    if (f.channels == 4) {
      if (ex[i].prior.empty()) std::fill(dst + 3 * plane, dst + 4 * plane, 0.f);
      else write_plane(ex[i].prior, dst + 3 * plane);
    }
  }
  return t;
}

}  // namespace

Batch collate(const std::vector<Example>& examples, const InputFormat& f) {
  if (examples.empty()) throw std::invalid_argument("collate: no examples");
  const cv::Size size(f.width, f.height);
  bool all_texture = true, all_soft = true, all_boundary = true;
  for (const auto& e : examples) {
    if (e.image.size() != size || e.label.size() != size)
      throw std::invalid_argument(e.id + ": example is not at the input size " + std::to_string(f.height) + "x" +
                                  std::to_string(f.width));
    all_texture &= !e.texture_image.empty();
    all_soft &= !e.soft.empty();
    all_boundary &= !e.boundary.empty();
  }
  const int64_t n = static_cast<int64_t>(examples.size());
  const size_t plane = static_cast<size_t>(f.height) * f.width;
  Batch b;
  b.input = stack_inputs(examples, f, false);
  if (all_texture) b.input_texture = stack_inputs(examples, f, true);
  b.label = torch::empty({n, f.height, f.width}, torch::kInt64);
  if (all_soft) b.soft = torch::empty({n, 1, f.height, f.width}, torch::kFloat32);
  if (all_boundary) b.boundary = torch::empty({n, f.height, f.width}, torch::kInt64);
  for (int64_t i = 0; i < n; ++i) {
    write_int64(examples[i].label, b.label.data_ptr<int64_t>() + i * plane);
    if (all_soft) write_plane(examples[i].soft, b.soft.data_ptr<float>() + i * plane);
    if (all_boundary) write_int64(examples[i].boundary, b.boundary.data_ptr<int64_t>() + i * plane);
    b.ids.push_back(examples[i].id);
  }
  return b;
}

}  // namespace pseg
