#include "core/export/calibration.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <unordered_set>

#include "core/config/data_spec.h"
#include "core/infer/predictor.h"
#include "data/dataset.h"

namespace pseg {
namespace {

// torch::quantile sorts: a strided subsample of at most 2^18 values keeps it fast (and within its 2^24 limit).
torch::Tensor subsample(const torch::Tensor& x) {
  const torch::Tensor flat = x.reshape({-1}).to(torch::kFloat);
  const int64_t limit = int64_t{1} << 18;
  return flat.numel() <= limit ? flat : flat.slice(0, 0, flat.numel(), (flat.numel() + limit - 1) / limit);
}

}  // namespace

CalibrationSet load_calibration_set(const std::string& spec, int64_t count, const ModelMeta& meta) {
  const Dataset dataset = open_dataset(parse_data_specs({spec}));
  const SampleSource& source = *dataset.test;
  CalibrationSet set;
  set.spec = spec;
  set.available = source.size();
  if (set.available == 0) throw std::runtime_error("calibration: " + spec + " has no images");
  const size_t n = std::min(set.available, static_cast<size_t>(count));
  for (size_t i = 0; i < n; ++i) {
    const size_t index = i * set.available / n;
    const Sample sample = source.load(index);
    const cv::Mat blob = preprocess_image(sample.image, cv::Mat(), meta);
    const std::vector<int64_t> sizes(blob.size.p, blob.size.p + blob.dims);
    set.inputs.push_back(torch::from_blob(const_cast<float*>(blob.ptr<float>()), sizes, torch::kFloat).clone());
  }
  return set;
}

std::map<std::string, ActivationRange> calibrate_ranges(const OnnxExecutor& fp32, const CalibrationSet& set,
                                                        const std::vector<std::string>& names,
                                                        CalibrationMethod method, double percentile) {
  const std::unordered_set<std::string> wanted(names.begin(), names.end());
  std::map<std::string, ActivationRange> ranges;
  std::map<std::string, double> lo_sum, hi_sum;
  const double q = percentile / 100.0;
  auto observe = [&](const std::string& name, const torch::Tensor& value) {
    if (!wanted.count(name)) return;
    if (method == CalibrationMethod::MinMax) {
      const float lo = value.min().item<float>(), hi = value.max().item<float>();
      auto [it, fresh] = ranges.try_emplace(name, ActivationRange{lo, hi});
      if (!fresh) it->second = {std::min(it->second.lo, lo), std::max(it->second.hi, hi)};
      return;
    }
    const torch::Tensor qs = torch::quantile(subsample(value), torch::tensor({1.0 - q, q}, torch::kFloat));
    lo_sum[name] += qs[0].item<double>();
    hi_sum[name] += qs[1].item<double>();
  };
  for (const auto& x : set.inputs) {
    if (wanted.count(fp32.input_name())) observe(fp32.input_name(), x);
    fp32.run(x, observe);
  }
  if (method == CalibrationMethod::Percentile)
    for (const auto& [name, sum] : lo_sum) {
      const double n = static_cast<double>(set.inputs.size());
      ranges[name] = {static_cast<float>(sum / n), static_cast<float>(hi_sum[name] / n)};
    }
  for (const auto& name : names)
    if (!ranges.count(name)) throw std::runtime_error("calibration: activation " + name + " was never computed");
  return ranges;
}

std::unordered_map<std::string, double> observe_max_abs(const OnnxExecutor& fp32, const std::vector<torch::Tensor>& inputs) {
  std::unordered_map<std::string, double> max_abs;
  auto observe = [&](const std::string& name, const torch::Tensor& value) {
    if (!value.is_floating_point() || value.numel() == 0) return;
    const double m = value.abs().max().item<double>();
    double& slot = max_abs[name];
    slot = std::isfinite(m) ? std::max(slot, m) : m;
  };
  for (const auto& x : inputs) {
    observe(fp32.input_name(), x);
    fp32.run(x, observe);
  }
  return max_abs;
}

}  // namespace pseg
