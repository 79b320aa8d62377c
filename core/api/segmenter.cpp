#include "portraitseg/segmenter.h"

#include <optional>

#include "core/api/guarded.h"
#include "core/api/predictor_options.h"
#include "core/torch_runtime/device.h"
#include "core/common/errors.h"
#include "core/torch_runtime/torch_runtime.h"
#include "core/infer/effects.h"
#include "core/infer/engine_registry.h"
#include "core/infer/photo_decode.h"
#include "core/infer/predictor.h"
#include "core/infer/scene_cut.h"
#include "core/infer/temporal_mask.h"
#include "data/image_io.h"

namespace portraitseg {

pseg::PredictorOptions detail::predictor_options(const SegmenterOptions& o) {
  if (o.threads() != 0) pseg::set_intra_op_threads(o.threads());
  pseg::PredictorOptions p;
  p.engine = o.engine();
  p.device = pseg::checked_device(o.device(), "device");
  p.interpolation = pseg::parse_resize_interpolation(o.interpolation());
  return p;
}

namespace {

std::unique_ptr<pseg::Predictor> open_model(const std::string& path, const SegmenterOptions& options) {
  return pseg::open_predictor(path, detail::predictor_options(options));
}

ModelInfo info_of(const pseg::Predictor& p) {
  const pseg::ModelMeta& m = p.meta();
  ModelInfo info;
  info.path = p.path();
  info.engine = p.engine();
  info.format = m.format.empty() ? "checkpoint" : m.format;
  info.net = m.net;
  info.description = m.description;
  info.channels = m.channels;
  info.height = m.height;
  info.width = m.width;
  info.color_order = m.color_order;
  info.normalization = m.normalization;
  info.resize = m.resize;
  info.threshold = m.threshold;
  info.producer = m.producer;
  info.metadata_json = pseg::to_json(m).dump();
  return info;
}

}  // namespace

struct Segmenter::Impl {
  std::unique_ptr<pseg::Predictor> predictor;
  ModelInfo info;
};

Segmenter::Segmenter(const std::string& model_path, const SegmenterOptions& options)
    : impl_(detail::guarded([&] {
        auto impl = std::make_unique<Impl>();
        impl->predictor = open_model(model_path, options);
        impl->info = info_of(*impl->predictor);
        return impl;
      })) {}

Segmenter::~Segmenter() = default;
Segmenter::Segmenter(Segmenter&&) noexcept = default;
Segmenter& Segmenter::operator=(Segmenter&&) noexcept = default;

const ModelInfo& Segmenter::info() const { return impl_->info; }

cv::Mat Segmenter::segment(const cv::Mat& bgr) {
  return detail::guarded([&] { return impl_->predictor->predict(bgr).probability; });
}

std::vector<cv::Mat> Segmenter::segment(const std::vector<cv::Mat>& images) {
  return detail::guarded([&] { return impl_->predictor->predict_batch(images); });
}

cv::Mat Segmenter::segment_file(const std::string& path) {
  return detail::guarded([&] {
    const pseg::DecodedPhoto photo = pseg::decode_photo(pseg::read_file_bytes(path), path, *impl_->predictor);
    return impl_->predictor->predict(photo.for_net, cv::Mat(), photo.size).probability;
  });
}

std::vector<std::string> Segmenter::engines() { return pseg::engine_descriptions(); }

struct VideoSegmenter::Impl {
  Impl(const std::string& path, const SegmenterOptions& options, const VideoOptions& video)
      : predictor(open_model(path, options)),
        info(info_of(*predictor)),
        temporal{video.every(), video.smooth()},
        scene_cut(video.scene_cut()) {
    if (!(scene_cut >= 0)) throw pseg::ConfigError("scene_cut: expected >= 0, got " + std::to_string(scene_cut));
    reset();
  }
  void reset() {
    masker.emplace(*predictor, temporal);
    cuts = pseg::SceneCutDetector(scene_cut);
  }

  std::unique_ptr<pseg::Predictor> predictor;
  ModelInfo info;
  pseg::TemporalOptions temporal;
  double scene_cut;
  std::optional<pseg::TemporalMasker> masker;  // holds a reference to *predictor: rebuilt, never assigned
  pseg::SceneCutDetector cuts;
};

VideoSegmenter::VideoSegmenter(const std::string& model_path, const SegmenterOptions& options,
                               const VideoOptions& video)
    : impl_(detail::guarded([&] { return std::make_unique<Impl>(model_path, options, video); })) {}

VideoSegmenter::~VideoSegmenter() = default;
VideoSegmenter::VideoSegmenter(VideoSegmenter&&) noexcept = default;
VideoSegmenter& VideoSegmenter::operator=(VideoSegmenter&&) noexcept = default;

const ModelInfo& VideoSegmenter::info() const { return impl_->info; }

cv::Mat VideoSegmenter::next(const cv::Mat& bgr_frame) {
  return detail::guarded([&] {
    Impl& s = *impl_;
    if (bgr_frame.empty() || bgr_frame.type() != CV_8UC3)
      throw pseg::ConfigError("video frame: expected a non-empty 8-bit 3-channel BGR image");
    const bool cut = s.scene_cut > 0 && s.cuts.is_cut(bgr_frame);
    return s.masker->next(bgr_frame, cut).probability;
  });
}

void VideoSegmenter::reset() { impl_->reset(); }

cv::Mat to_mask8(const cv::Mat& probability) {
  return detail::guarded([&] { return pseg::to_mask8(probability); });
}

}  // namespace portraitseg
