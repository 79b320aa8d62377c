#pragma once
// core/bench: the jobs behind `portraitseg bench`: inference latency per engine (infer_bench.h), training
// throughput through the training loop itself (train_bench.h) and data-loader throughput (loader_bench.h), with
// their results as JSON.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/bench/infer_bench.h"
#include "core/bench/loader_bench.h"
#include "core/bench/train_bench.h"
#include "core/infer/engine_registry.h"

namespace pseg {

// bench --loader: the training data of the config at `config` (with --set overrides). Throws ConfigError when it
// has no data.train section.
std::vector<LoaderBenchResult> run_loader_bench(const std::string& config, const std::vector<std::string>& overrides,
                                                const LoaderBenchOptions& options);

// {"mode": "train", "net", "config", "size": [H, W], "batch", "threads", "steps", "images_per_s", ...}
nlohmann::json to_json(const TrainBenchResult& r);
// {"results": [{"engine", "size", "batch", "threads", "median_ms", "p90_ms", "p99_ms", "fps"}, ...]}, keys in
// that order; an engine that could not open or run the model is {"engine", "error"}.
nlohmann::ordered_json to_json(const std::vector<InferBenchResult>& results);
// {"mode": "loader", "size", "prior", "results": [{"workers", "samples", "samples_per_second", "runs"}, ...]}
nlohmann::json to_json(const std::vector<LoaderBenchResult>& results, const LoaderBenchOptions& options);

}  // namespace pseg
