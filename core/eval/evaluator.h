#pragma once
// Scores a Predictor on a dataset split at each image's original size (training.md §4): the probability comes
// back bilinearly to the label's size, is thresholded, and both mIOU definitions, pixel accuracy and the boundary
// F-score are accumulated with ignore (255) pixels excluded. 4-channel models get an empty prior (still images).
#include <opencv2/core.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/eval/boundary_score.h"
#include "core/eval/contact_sheet.h"
#include "core/eval/metrics.h"
#include "core/infer/predictor.h"
#include "data/sample.h"

namespace pseg {

struct EvalOptions {
  float threshold = 0.5f;               // probability above which a pixel is person
  double boundary_tolerance = kBoundaryToleranceFraction;  // of the image diagonal
  // Directory for the predicted 0/255 masks at the image's size ("" = none), named after the image's stem
  // (with "_<index>" when two images share a stem).
  std::string save_masks;
  size_t worst = 0;                     // keep thumbnails of this many lowest-IoU images
};

struct ImageScore {
  size_t index = 0;  // in the source
  std::string id;
  cv::Size size;
  ConfusionCounts counts;
  double iou = 0;         // foreground IoU (1 when prediction and truth are both empty)
  double boundary_f = 0;
  double inference_ms = 0;  // the net alone
  double total_ms = 0;      // preprocess + net + postprocess
  std::string mask_path;    // with save_masks
};

struct EvalResult {
  SegMetrics metrics;
  double boundary_f = 0;  // mean over images
  double mean_inference_ms = 0;
  double median_inference_ms = 0;
  bool empty_prior = false;  // the model has a prior channel and was given zeros
  std::vector<ImageScore> images;
  std::vector<SheetRow> worst;  // thumbnails, lowest IoU first
};

// Called after each image with (done, total).
using EvalProgress = std::function<void(size_t, size_t)>;

// Throws std::invalid_argument for an empty source or a threshold outside (0, 1), std::runtime_error (naming the
// file) for an image or mask that cannot be read or a mask that cannot be written.
EvalResult evaluate(Predictor& predictor, const SampleSource& source, const EvalOptions& options,
                    const EvalProgress& progress = {});

}  // namespace pseg
