#include "data/dataset.h"

#include <opencv2/core/utility.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <stdexcept>

#include "data/format_reader.h"

namespace pseg {
namespace {

struct CheckedPair {
  PairRef ref;
  cv::Size size;
  double foreground = 0;
};

struct OpenedSource {
  SourceConfig config;
  std::shared_ptr<const FormatReader> reader;
  std::vector<CheckedPair> pairs;
  std::vector<Rejection> rejected;
};

// A subset of one source's pairs, `count` indices long (a repetition factor when count != pairs.size()).
struct Part {
  std::shared_ptr<const FormatReader> reader;
  std::vector<PairRef> pairs;
  size_t count = 0;
};

class MixedSource : public SampleSource {
 public:
  explicit MixedSource(std::vector<Part> parts) : parts_(std::move(parts)) {
    for (const auto& p : parts_) starts_.push_back(size_ += p.count);
  }
  size_t size() const override { return size_; }
  std::string id(size_t index) const override { return pair(index).second->image; }
  Sample load(size_t index) const override {
    const auto [part, ref] = pair(index);
    try {
      return part->reader->load(*ref);
    } catch (const cv::Exception& e) {
      throw std::runtime_error(ref->image + ": " + e.err);
    }
  }

 private:
  std::pair<const Part*, const PairRef*> pair(size_t index) const {
    if (index >= size_) throw std::out_of_range("sample index " + std::to_string(index) + " >= " + std::to_string(size_));
    const size_t p = static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), index) - starts_.begin());
    const Part& part = parts_[p];
    const size_t k = index - (starts_[p] - part.count), n = part.pairs.size();
    // More indices than pairs: cycle through them; fewer: an evenly spaced subset.
    return {&part, &part.pairs[part.count >= n ? k % n : k * n / part.count]};
  }

  std::vector<Part> parts_;
  std::vector<size_t> starts_;  // exclusive end index of each part
  size_t size_ = 0;
};

double foreground_fraction(const cv::Mat& label) {
  const double valid = static_cast<double>(label.total()) - cv::countNonZero(label == kLabelIgnore);
  return valid > 0 ? cv::countNonZero(label == kLabelPerson) / valid : 0.0;
}

// Empty when the pair is usable, else a one-line reason starting with the faulty file.
std::string check_pair(const FormatReader& reader, CheckedPair& c) {
  namespace fs = std::filesystem;
  const PairRef& r = c.ref;
  if (!r.problem.empty()) return (r.image.empty() ? r.mask : r.image) + ": " + r.problem;
  std::error_code ec;
  if (!fs::is_regular_file(r.image, ec)) return r.image + ": missing image" + (r.mask.empty() ? "" : " (for mask " + r.mask + ")");
  if (!fs::is_regular_file(r.mask, ec)) return r.mask + ": missing mask (for image " + r.image + ")";
  try {
    const Sample s = reader.load(r);
    c.size = s.image.size();
    c.foreground = foreground_fraction(s.label);
    return "";
  } catch (const cv::Exception& e) {
    return r.image + ": " + e.err;
  } catch (const std::exception& e) {
    return e.what();
  }
}

OpenedSource open_source(const SourceConfig& config, OnError on_error, const std::string& where) {
  OpenedSource s;
  s.config = config;
  try {
    s.reader = make_format_reader(config);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(where + ": " + e.what());
  }
  std::vector<CheckedPair> all;
  for (auto& ref : s.reader->list()) all.push_back({std::move(ref), {}, 0});
  std::vector<std::string> problems(all.size());
  // Strict mode stops at a problem: the pairs after it are not decoded (a million-line list of missing files
  // fails at once). The first problem in list order is still the one reported, as every pair before it is checked.
  std::atomic<size_t> first_problem{all.size()};
  cv::parallel_for_(cv::Range(0, static_cast<int>(all.size())), [&](const cv::Range& range) {
    for (int i = range.start; i < range.end; ++i) {
      if (on_error == OnError::Strict && static_cast<size_t>(i) > first_problem.load()) return;
      problems[i] = check_pair(*s.reader, all[i]);
      if (problems[i].empty() || on_error != OnError::Strict) continue;
      for (size_t seen = first_problem.load(); static_cast<size_t>(i) < seen;)
        if (first_problem.compare_exchange_weak(seen, static_cast<size_t>(i))) break;
    }
  });
  for (size_t i = 0; i < all.size(); ++i) {
    if (problems[i].empty()) {
      s.pairs.push_back(std::move(all[i]));
      continue;
    }
    if (on_error == OnError::Strict) throw std::runtime_error(problems[i]);
    s.rejected.push_back({all[i].ref.image.empty() ? all[i].ref.mask : all[i].ref.image, problems[i]});
  }
  if (s.pairs.empty()) {
    std::string msg = where + " (" + describe_source(config) + "): no usable image/mask pairs";
    if (!s.rejected.empty())
      msg += " (" + std::to_string(s.rejected.size()) + " rejected, first: " + s.rejected.front().reason + ")";
    throw std::runtime_error(msg);
  }
  return s;
}

// Unbiased draw in [0, n) from a fixed-width generator, so the split does not depend on the standard library.
uint64_t draw_below(std::mt19937_64& rng, uint64_t n) {
  const uint64_t limit = std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % n;
  uint64_t v;
  do v = rng();
  while (v >= limit);
  return v % n;
}

// Indices of the held-out pairs of one source, sorted: a seeded Fisher-Yates shuffle, first ceil(f*n) taken.
std::vector<size_t> held_out(size_t n, double fraction, uint64_t seed, size_t source_index, const std::string& where) {
  const size_t n_test = static_cast<size_t>(std::ceil(fraction * static_cast<double>(n) - 1e-9));
  if (n_test >= n)
    throw std::runtime_error(where + ": " + std::to_string(n) + " usable pairs are too few to hold out test_fraction " +
                             std::to_string(fraction) + " and keep a train set");
  std::mt19937_64 rng(seed + 0x9E3779B97F4A7C15ULL * (source_index + 1));
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  for (size_t i = n - 1; i > 0; --i) std::swap(order[i], order[draw_below(rng, i + 1)]);
  std::vector<size_t> test(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_test));
  std::sort(test.begin(), test.end());
  return test;
}

SourceReport summarize(const OpenedSource& s, const std::vector<const CheckedPair*>& pairs, bool with_rejections) {
  SourceReport r;
  r.name = describe_source(s.config);
  r.format = s.config.format;
  r.weight = s.config.weight;
  r.pairs = pairs.size();
  r.rejected = with_rejections ? s.rejected.size() : 0;
  if (pairs.empty()) return r;
  r.min_size = r.max_size = pairs.front()->size;
  double fg = 0;
  for (const auto* p : pairs) {
    r.min_size = {std::min(r.min_size.width, p->size.width), std::min(r.min_size.height, p->size.height)};
    r.max_size = {std::max(r.max_size.width, p->size.width), std::max(r.max_size.height, p->size.height)};
    fg += p->foreground;
  }
  r.mean_foreground = fg / static_cast<double>(pairs.size());
  return r;
}

// Builds one split from the chosen pairs of each source; `weighted` applies the sources' repetition factors.
std::shared_ptr<const SampleSource> build_split(const std::vector<OpenedSource>& sources,
                                                const std::vector<std::vector<const CheckedPair*>>& chosen,
                                                bool weighted, bool with_rejections, SplitReport& report) {
  std::vector<Part> parts;
  for (size_t i = 0; i < sources.size(); ++i) {
    report.sources.push_back(summarize(sources[i], chosen[i], with_rejections));
    if (with_rejections) report.rejected.insert(report.rejected.end(), sources[i].rejected.begin(), sources[i].rejected.end());
    if (chosen[i].empty()) continue;
    Part part;
    part.reader = sources[i].reader;
    for (const auto* p : chosen[i]) part.pairs.push_back(p->ref);
    const double n = static_cast<double>(part.pairs.size());
    part.count = weighted ? std::max<size_t>(1, static_cast<size_t>(std::llround(sources[i].config.weight * n)))
                          : part.pairs.size();
    report.pairs += part.pairs.size();
    parts.push_back(std::move(part));
  }
  auto source = std::make_shared<MixedSource>(std::move(parts));
  report.samples = source->size();
  return source;
}

std::vector<OpenedSource> open_all(const std::vector<SourceConfig>& configs, OnError on_error, const std::string& split) {
  std::vector<OpenedSource> out;
  for (size_t i = 0; i < configs.size(); ++i) {
    const std::string where = "data." + split + "[" + std::to_string(i) + "]";
    if (!(configs[i].weight > 0)) throw std::invalid_argument(where + ": weight must be > 0");
    out.push_back(open_source(configs[i], on_error, where));
  }
  return out;
}

std::vector<const CheckedPair*> all_pairs(const OpenedSource& s) {
  std::vector<const CheckedPair*> v;
  for (const auto& p : s.pairs) v.push_back(&p);
  return v;
}

}  // namespace

Dataset open_dataset(const DataConfig& config) {
  if (config.train.empty() && config.test.empty()) throw std::invalid_argument("data: no train or test sources configured");
  if (!(config.split.test_fraction >= 0 && config.split.test_fraction < 1))
    throw std::invalid_argument("data.split.test_fraction: expected a number in [0, 1)");
  const auto train = open_all(config.train, config.on_error, "train");
  const auto test = open_all(config.test, config.on_error, "test");

  Dataset d;
  std::vector<std::vector<const CheckedPair*>> train_pairs, test_pairs;
  if (test.empty() && config.split.test_fraction > 0) {
    d.report.held_out = true;
    for (size_t i = 0; i < train.size(); ++i) {
      const auto ids = held_out(train[i].pairs.size(), config.split.test_fraction, config.split.seed, i,
                                "data.train[" + std::to_string(i) + "]");
      std::vector<const CheckedPair*> tr, te;
      for (size_t k = 0, t = 0; k < train[i].pairs.size(); ++k) {
        const bool is_test = t < ids.size() && ids[t] == k;
        (is_test ? te : tr).push_back(&train[i].pairs[k]);
        t += is_test;
      }
      train_pairs.push_back(std::move(tr));
      test_pairs.push_back(std::move(te));
    }
    d.train = build_split(train, train_pairs, true, true, d.report.train);
    d.test = build_split(train, test_pairs, false, false, d.report.test);
  } else {
    for (const auto& s : train) train_pairs.push_back(all_pairs(s));
    for (const auto& s : test) test_pairs.push_back(all_pairs(s));
    d.train = build_split(train, train_pairs, true, true, d.report.train);
    d.test = build_split(test, test_pairs, false, true, d.report.test);
  }
  return d;
}

}  // namespace pseg
