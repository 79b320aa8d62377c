#pragma once
// Scoring a model on a labelled dataset at each image's original size, as `portraitseg eval` does (both mIOU
// definitions, pixel accuracy, boundary F-score).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "portraitseg/errors.h"
#include "portraitseg/options.h"
#include "portraitseg/segmenter.h"

namespace portraitseg {

struct EvalOptions {
  // Data specs, e.g. "list:data/test.txt" or "folders:images,masks" (docs/data.md); or
  PORTRAITSEG_ARG(std::vector<std::string>, data) = {};
  // a config file whose `split` ("test" or "train") is scored.
  PORTRAITSEG_ARG(std::string, config) = "";
  PORTRAITSEG_ARG(std::string, split) = "test";
  // Probability above which a pixel counts as person.
  PORTRAITSEG_ARG(float, threshold) = 0.5f;
  PORTRAITSEG_ARG(SegmenterOptions, model) = SegmenterOptions();
  // Called after each image with (done, total).
  PORTRAITSEG_ARG(std::function<void(size_t, size_t)>, on_progress) = nullptr;
};

struct EvalSummary {
  int64_t images = 0;
  double miou_per_image = 0;  // mean over images of the person IoU
  double miou_confusion = 0;  // mean of person and background IoU over the whole set
  double iou_person = 0;
  double iou_background = 0;
  double pixel_accuracy = 0;
  double boundary_f = 0;
  double median_inference_ms = 0;
  std::string json;           // everything `portraitseg eval --json` prints
};

// Throws ConfigError for no or two data choices, a bad spec or split, a model that does not fit the data;
// RuntimeError for unreadable models or data.
EvalSummary evaluate(const std::string& model_path, const EvalOptions& options);

}  // namespace portraitseg
