#pragma once
// Segmentation metrics under both published definitions (training.md §4):
//  - miou_per_image: mean over images of the foreground IoU (PortraitNet), 1 when prediction and truth are empty;
//  - miou_confusion: mean of background and person IoU from one dataset-level confusion matrix (SINet/PaddleSeg).
// Pixels labelled 255 are excluded from both.
#include <opencv2/core.hpp>
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace pseg {

// Pixel counts of one image (or a whole dataset) against label 1 = person, ignoring label 255.
struct ConfusionCounts {
  int64_t tp = 0;  // person predicted person
  int64_t fp = 0;  // background predicted person
  int64_t fn = 0;  // person predicted background
  int64_t tn = 0;  // background predicted background
  int64_t ignored = 0;
  ConfusionCounts& operator+=(const ConfusionCounts& o);
  double foreground_iou() const;  // 1 when union is empty
};

// pred: 0/1 (or 0/255) per pixel; label: 0/1/255. Same size, single channel, 8-bit.
ConfusionCounts count_pixels(const cv::Mat& pred, const cv::Mat& label);
// pred: [H,W] bool/uint8/int64 0/1; label: [H,W] int64/uint8 0/1/255 (any device).
ConfusionCounts count_pixels(const torch::Tensor& pred, const torch::Tensor& label);

struct SegMetrics {
  double miou_per_image = 0;
  double miou_confusion = 0;
  double iou_person = 0;
  double iou_background = 0;
  double pixel_accuracy = 0;
  int64_t images = 0;
  int64_t ignored_pixels = 0;
};

class MetricAccumulator {
 public:
  void add(const ConfusionCounts& image);  // one image
  SegMetrics result() const;
  const std::vector<double>& per_image_iou() const { return per_image_; }
  const ConfusionCounts& totals() const { return totals_; }
  // Folds in another accumulator (e.g. another rank's): totals add, per-image lists concatenate.
  void merge(const MetricAccumulator& other);

 private:
  ConfusionCounts totals_;
  std::vector<double> per_image_;
};

}  // namespace pseg
