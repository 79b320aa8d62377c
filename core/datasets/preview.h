#pragma once
// A picture of what the training pipeline feeds the net: augmented examples with their targets drawn on top.
#include <opencv2/core.hpp>

#include <cstdint>
#include <string>

#include "core/config/config.h"
#include "data/pipeline.h"
#include "data/sample.h"

namespace pseg {

// A grid of the first `count` samples of `source` (epoch 0 draws of `seed`), `columns` tiles per row. Each tile is
// the deformed view with the person label tinted green, ignore pixels grey and the boundary target red, followed
// by the texture view (when the pipeline makes one) and the prior (when the input has one). CV_8UC3 BGR.
cv::Mat render_preview_grid(const SampleSource& source, const ExamplePipeline& pipeline, size_t count, uint64_t seed,
                            int columns = 4);

// The preview of `config`'s training pipeline (its augment section, its net's input format) over `source`,
// written to `path`.
void write_training_preview(const Config& config, const SampleSource& source, const std::string& path, size_t count);

// Writes the grid to `path` (format from the extension); throws std::runtime_error when it cannot be written.
void write_preview(const std::string& path, const cv::Mat& grid);

}  // namespace pseg
