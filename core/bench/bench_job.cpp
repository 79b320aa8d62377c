#include "core/bench/bench_job.h"

#include "core/common/errors.h"
#include "core/config/config.h"
#include "data/dataset.h"

namespace pseg {

std::vector<LoaderBenchResult> run_loader_bench(const std::string& config_path,
                                                const std::vector<std::string>& overrides,
                                                const LoaderBenchOptions& options) {
  const Config config = load_config(config_path, overrides);
  if (config.data.train.empty()) throw ConfigError(config_path + ": bench --loader needs a data.train section");
  const Dataset dataset = open_dataset(config.data);
  return bench_loader(dataset.train, options);
}

nlohmann::json to_json(const TrainBenchResult& r) {
  return {{"mode", "train"},
          {"net", r.net},
          {"config", r.config},
          {"size", {r.height, r.width}},
          {"batch", r.batch},
          {"threads", r.threads},
          {"steps", r.steps},
          {"images_per_s", r.images_per_s},
          {"median_step_ms", r.median_step_ms},
          {"p90_step_ms", r.p90_step_ms},
          {"median_data_wait_ms", r.median_data_wait_ms}};
}

nlohmann::ordered_json to_json(const std::vector<InferBenchResult>& results) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& r : results) {
    if (!r.error.empty()) {
      rows.push_back({{"engine", r.engine}, {"error", r.error}});
      continue;
    }
    rows.push_back({{"engine", r.engine},
                    {"size", {r.height, r.width}},
                    {"batch", r.batch},
                    {"threads", r.threads},
                    {"median_ms", r.median_ms},
                    {"p90_ms", r.p90_ms},
                    {"p99_ms", r.p99_ms},
                    {"fps", r.fps}});
  }
  return {{"results", rows}};
}

nlohmann::json to_json(const std::vector<LoaderBenchResult>& results, const LoaderBenchOptions& o) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : results)
    rows.push_back({{"workers", r.workers}, {"samples", r.samples}, {"samples_per_second", r.samples_per_second},
                    {"runs", r.runs}});
  return {{"mode", "loader"}, {"size", o.size}, {"prior", o.prior}, {"results", rows}};
}

}  // namespace pseg
