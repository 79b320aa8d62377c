#include "core/datasets/dataset_report.h"

#include <spdlog/spdlog.h>

namespace pseg {
namespace {

constexpr size_t kLoggedRejections = 10;

nlohmann::json to_json(const SourceReport& s) {
  return {{"source", s.name},
          {"format", s.format},
          {"weight", s.weight},
          {"pairs", s.pairs},
          {"rejected", s.rejected},
          {"image_size", {{"min", {s.min_size.width, s.min_size.height}}, {"max", {s.max_size.width, s.max_size.height}}}},
          {"foreground_fraction", s.mean_foreground}};
}

nlohmann::json to_json(const SplitReport& r) {
  nlohmann::json rejected = nlohmann::json::array(), sources = nlohmann::json::array();
  for (const auto& x : r.rejected) rejected.push_back({{"file", x.file}, {"reason", x.reason}});
  for (const auto& s : r.sources) sources.push_back(to_json(s));
  return {{"pairs", r.pairs}, {"samples", r.samples}, {"rejected", rejected}, {"sources", sources}};
}

void log_split(const char* name, const SplitReport& r) {
  spdlog::info("{}: {} pairs, {} samples per epoch, {} rejected", name, r.pairs, r.samples, r.rejected.size());
  for (const auto& s : r.sources)
    spdlog::info("  {}: {} pairs, {} rejected, images {}x{}..{}x{}, foreground {:.3f}", s.name, s.pairs, s.rejected,
                 s.min_size.width, s.min_size.height, s.max_size.width, s.max_size.height, s.mean_foreground);
  for (size_t i = 0; i < r.rejected.size() && i < kLoggedRejections; ++i) spdlog::warn("skipped {}", r.rejected[i].reason);
  if (r.rejected.size() > kLoggedRejections)
    spdlog::warn("... and {} more skipped pairs", r.rejected.size() - kLoggedRejections);
}

}  // namespace

nlohmann::json to_json(const DatasetReport& report) {
  return {{"train", to_json(report.train)}, {"test", to_json(report.test)}};
}

void log_dataset_report(const DatasetReport& report) {
  log_split("train", report.train);
  log_split(report.held_out ? "test (held out of train)" : "test", report.test);
}

}  // namespace pseg
