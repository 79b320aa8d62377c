#include "core/eval/evaluator.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "core/common/atomic_file.h"
#include "core/common/stats.h"

namespace fs = std::filesystem;

namespace pseg {
namespace {

std::string unique_mask_name(const std::string& id, size_t index, std::set<std::string>& used) {
  std::string name = fs::path(id).stem().string();
  if (name.empty()) name = "image";
  if (!used.insert(name).second) {
    name += "_" + std::to_string(index);
    used.insert(name);
  }
  return name + ".png";
}

std::string caption(const ImageScore& s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "IoU %.3f  BF %.3f  ", s.iou, s.boundary_f);
  return buf + fs::path(s.id).filename().string();
}

// Keeps the `k` lowest-IoU rows (earlier images first among equals), sorted ascending.
void keep_worst(std::vector<std::pair<double, SheetRow>>& worst, size_t k, double iou, const SheetRow& row) {
  if (k == 0 || (worst.size() == k && iou >= worst.back().first)) return;
  const auto at = std::upper_bound(worst.begin(), worst.end(), iou,
                                   [](double v, const std::pair<double, SheetRow>& w) { return v < w.first; });
  worst.insert(at, {iou, thumbnail(row)});
  if (worst.size() > k) worst.pop_back();
}

}  // namespace

EvalResult evaluate(Predictor& predictor, const SampleSource& source, const EvalOptions& o,
                    const EvalProgress& progress) {
  if (source.size() == 0) throw std::invalid_argument("eval: the dataset split has no images");
  if (!(o.threshold > 0.f && o.threshold < 1.f))
    throw std::invalid_argument("threshold: expected a value in (0, 1), got " + std::to_string(o.threshold));
  if (!o.save_masks.empty()) {
    std::error_code ec;
    fs::create_directories(o.save_masks, ec);
    if (!fs::is_directory(o.save_masks)) throw std::runtime_error(o.save_masks + ": cannot create the mask directory");
  }

  EvalResult r;
  r.empty_prior = predictor.meta().channels == 4;
  MetricAccumulator acc;
  std::vector<double> inference_ms;
  std::vector<std::pair<double, SheetRow>> worst;
  std::set<std::string> used_names;
  double boundary_sum = 0;
  for (size_t i = 0; i < source.size(); ++i) {
    const Sample s = source.load(i);
    const Prediction p = predictor.predict(s.image);
    const cv::Mat mask = p.probability > o.threshold;  // 0/255
    const cv::Mat pred01 = mask / 255;

    ImageScore score;
    score.index = i;
    score.id = s.id;
    score.size = s.image.size();
    score.counts = count_pixels(pred01, s.label);
    score.iou = score.counts.foreground_iou();
    score.boundary_f = boundary_f_score(pred01, s.label, boundary_tolerance_px(s.image.size(), o.boundary_tolerance));
    score.inference_ms = p.timing.inference_ms;
    score.total_ms = p.timing.preprocess_ms + p.timing.inference_ms + p.timing.postprocess_ms;
    if (!o.save_masks.empty()) {
      score.mask_path = (fs::path(o.save_masks) / unique_mask_name(s.id, i, used_names)).string();
      write_image_atomic(score.mask_path, mask);
    }
    keep_worst(worst, o.worst, score.iou, SheetRow{s.image, s.label, pred01, caption(score)});

    acc.add(score.counts);
    boundary_sum += score.boundary_f;
    inference_ms.push_back(score.inference_ms);
    r.images.push_back(std::move(score));
    if (progress) progress(i + 1, source.size());
  }
  r.metrics = acc.result();
  r.boundary_f = boundary_sum / static_cast<double>(r.images.size());
  double sum = 0;
  for (double ms : inference_ms) sum += ms;
  r.mean_inference_ms = sum / static_cast<double>(inference_ms.size());
  r.median_inference_ms = percentile(inference_ms, 50);
  for (auto& w : worst) r.worst.push_back(std::move(w.second));
  return r;
}

}  // namespace pseg
