#include "core/datasets/preview.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "core/common/atomic_file.h"
#include "core/datasets/data_pipeline.h"
#include "data/rng.h"
#include "nets/registry.h"
#include "nets/segnet.h"

namespace pseg {
namespace {

cv::Mat to_bgr8(const cv::Mat& m) {
  cv::Mat out;
  m.convertTo(out, CV_8U);
  if (out.channels() == 1) cv::cvtColor(out, out, cv::COLOR_GRAY2BGR);
  return out;
}

cv::Mat overlay_targets(const Example& e) {
  cv::Mat view = to_bgr8(e.image);
  cv::Mat tint(view.size(), CV_8UC3, cv::Scalar(0, 255, 0));
  cv::Mat blended;
  cv::addWeighted(view, 0.6, tint, 0.4, 0.0, blended);
  blended.copyTo(view, e.label == 1);
  view.setTo(cv::Scalar::all(128), e.label == 255);
  if (!e.boundary.empty()) view.setTo(cv::Scalar(0, 0, 255), e.boundary == 1);
  return view;
}

}  // namespace

cv::Mat render_preview_grid(const SampleSource& source, const ExamplePipeline& pipeline, size_t count, uint64_t seed,
                            int columns) {
  const size_t n = std::min(count, source.size());
  if (n == 0) throw std::invalid_argument("preview: the dataset has no samples");
  std::vector<cv::Mat> tiles;
  for (size_t i = 0; i < n; ++i) {
    Rng rng = sample_rng(seed, 0, i);
    const Example e = pipeline.make(source.load(i), rng);
    std::vector<cv::Mat> parts{overlay_targets(e)};
    if (!e.texture_image.empty()) parts.push_back(to_bgr8(e.texture_image));
    if (!e.prior.empty()) parts.push_back(to_bgr8(e.prior * 255.0));
    cv::Mat tile;
    cv::hconcat(parts, tile);
    cv::copyMakeBorder(tile, tile, 2, 2, 2, 2, cv::BORDER_CONSTANT, cv::Scalar::all(255));
    tiles.push_back(tile);
  }
  const size_t cols = static_cast<size_t>(std::max(1, columns));
  std::vector<cv::Mat> rows;
  for (size_t r = 0; r * cols < tiles.size(); ++r) {
    std::vector<cv::Mat> row;
    for (size_t c = 0; c < cols; ++c) {
      const size_t i = r * cols + c;
      row.push_back(i < tiles.size() ? tiles[i] : cv::Mat(tiles[0].size(), CV_8UC3, cv::Scalar::all(255)));
    }
    cv::Mat joined;
    cv::hconcat(row, joined);
    rows.push_back(joined);
  }
  cv::Mat grid;
  cv::vconcat(rows, grid);
  return grid;
}

void write_training_preview(const Config& config, const SampleSource& source, const std::string& path, size_t count) {
  const InputSpec spec = create_net(config.model)->input_spec();
  const ExamplePipeline pipeline(config.augment, input_format_for(spec), PipelineMode::Train);
  write_preview(path, render_preview_grid(source, pipeline, count, 0));
}

void write_preview(const std::string& path, const cv::Mat& grid) { write_image_atomic(path, grid); }

}  // namespace pseg
