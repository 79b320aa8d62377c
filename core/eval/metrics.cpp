#include "core/eval/metrics.h"

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <stdexcept>

namespace pseg {

ConfusionCounts& ConfusionCounts::operator+=(const ConfusionCounts& o) {
  tp += o.tp;
  fp += o.fp;
  fn += o.fn;
  tn += o.tn;
  ignored += o.ignored;
  return *this;
}

double ConfusionCounts::foreground_iou() const {
  const int64_t uni = tp + fp + fn;
  return uni == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(uni);
}

ConfusionCounts count_pixels(const cv::Mat& pred, const cv::Mat& label) {
  if (pred.size() != label.size() || pred.type() != CV_8UC1 || label.type() != CV_8UC1)
    throw std::invalid_argument("count_pixels: prediction and label must be 8-bit single-channel maps of one size");
  ConfusionCounts c;
  for (int y = 0; y < pred.rows; ++y) {
    const uint8_t* p = pred.ptr<uint8_t>(y);
    const uint8_t* l = label.ptr<uint8_t>(y);
    for (int x = 0; x < pred.cols; ++x) {
      if (l[x] == 255) {
        ++c.ignored;
        continue;
      }
      const bool is_pred = p[x] != 0;
      const bool is_true = l[x] == 1;
      c.tp += is_pred && is_true;
      c.fp += is_pred && !is_true;
      c.fn += !is_pred && is_true;
      c.tn += !is_pred && !is_true;
    }
  }
  return c;
}

ConfusionCounts count_pixels(const torch::Tensor& pred, const torch::Tensor& label) {
  if (pred.sizes() != label.sizes())
    throw std::invalid_argument("count_pixels: prediction and label shapes differ");
  const auto l = label.to(torch::kInt64);
  const auto valid = l != 255;
  const auto p = (pred.to(torch::kInt64) != 0) & valid;
  const auto t = (l == 1) & valid;
  ConfusionCounts c;
  c.tp = (p & t).sum().item<int64_t>();
  c.fp = (p & ~t).sum().item<int64_t>();
  c.fn = (~p & t & valid).sum().item<int64_t>();
  c.ignored = (~valid).sum().item<int64_t>();
  c.tn = static_cast<int64_t>(l.numel()) - c.ignored - c.tp - c.fp - c.fn;
  return c;
}

void MetricAccumulator::add(const ConfusionCounts& image) {
  totals_ += image;
  per_image_.push_back(image.foreground_iou());
}

void MetricAccumulator::merge(const MetricAccumulator& other) {
  totals_ += other.totals_;
  per_image_.insert(per_image_.end(), other.per_image_.begin(), other.per_image_.end());
}

SegMetrics MetricAccumulator::result() const {
  SegMetrics m;
  m.images = static_cast<int64_t>(per_image_.size());
  m.ignored_pixels = totals_.ignored;
  double sum = 0;
  for (double v : per_image_) sum += v;
  m.miou_per_image = per_image_.empty() ? 0.0 : sum / static_cast<double>(per_image_.size());
  const auto& t = totals_;
  auto ratio = [](int64_t a, int64_t b) { return b == 0 ? 1.0 : static_cast<double>(a) / static_cast<double>(b); };
  m.iou_person = ratio(t.tp, t.tp + t.fp + t.fn);
  m.iou_background = ratio(t.tn, t.tn + t.fn + t.fp);
  m.miou_confusion = (m.iou_person + m.iou_background) / 2.0;
  m.pixel_accuracy = ratio(t.tp + t.tn, t.tp + t.tn + t.fp + t.fn);
  return m;
}

}  // namespace pseg
