// portraitseg bench: throughput measurements. Each mode is its own function; --loader measures decoding +
// PortraitNet augmentation of the config's train data, --train whole training steps with data loading, and
// without either, inference latency of a model (--model) or a fresh net (--config) per engine.
#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/bench/bench_job.h"
#include "tools/command.h"

namespace pseg::cli {
namespace {

struct BenchArgs {
  bool loader = false;
  std::string config;
  std::vector<std::string> sets;
  std::string workers_list = "1,2";
  int runs = 3;
  size_t samples = 256;
  bool prior = false;
  bool json = false;
};

std::vector<int> parse_int_list(const std::string& flag, const std::string& s) {
  std::vector<int> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    size_t used = 0;
    int v = -1;
    try {
      v = std::stoi(item, &used);
    } catch (const std::exception&) {
    }
    if (used != item.size() || v < 0)
      throw std::invalid_argument(flag + ": expected comma-separated non-negative integers, got \"" + s + "\"");
    out.push_back(v);
  }
  if (out.empty()) throw std::invalid_argument(flag + ": empty list");
  return out;
}

int run_loader_bench(const BenchArgs& a) {
  LoaderBenchOptions o;
  o.workers = parse_int_list("--workers-list", a.workers_list);
  o.runs = a.runs;
  o.max_samples = a.samples;
  o.prior = a.prior;
  const auto results = run_loader_bench(a.config, a.sets, o);
  if (a.json) {
    print_line(to_json(results, o).dump());
    return 0;
  }
  std::printf("loader: decode + PortraitNet augmentation at %dx%d%s, median of %d passes\n", o.size, o.size,
              o.prior ? " with prior" : "", o.runs);
  for (const auto& r : results)
    std::printf("  workers %-3d %8.1f samples/s  (%zu samples per pass)\n", r.workers, r.samples_per_second, r.samples);
  return 0;
}

struct TrainBenchArgs {
  bool train = false;
  std::string size;  // HxW
  std::string data;
  int64_t batch = 8;
  int steps = 20;
  int warmup = 3;
};

void add_train_bench_options(CLI::App* sub, TrainBenchArgs& t) {
  sub->add_flag("--train", t.train, "measure training steps (data loading, loss recipe, optimiser) of --config");
  sub->add_option("--batch", t.batch, "batch size (default 8 for --train, 1 for inference)")->check(CLI::PositiveNumber);
  sub->add_option("--steps", t.steps, "--train: timed steps; the median is reported (default 20)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--warmup", t.warmup, "untimed steps first (default 3 for --train, 10 for inference)")->check(CLI::NonNegativeNumber);
  sub->add_option("--size", t.size, "input size HxW (--train, inference; default: the config's, else the net's native size)");
  sub->add_option("--data", t.data, "--train: a `portraitseg synth` dataset used instead of the config's data")
      ->check(CLI::ExistingDirectory);
}

int run_train_bench(const BenchArgs& a, const TrainBenchArgs& t, const Context& ctx, bool threads_given) {
  // The log shares stdout with the result: with --json, stdout holds the JSON object alone.
  if (a.json && spdlog::get_level() < spdlog::level::warn) spdlog::set_level(spdlog::level::warn);
  const Config config = load_config(a.config, a.sets);
  TrainBenchOptions o;
  o.batch = t.batch;
  o.steps = t.steps;
  o.warmup = t.warmup;
  o.threads = threads_given && ctx.runtime.threads > 0 ? ctx.runtime.threads : 2;
  o.device = ctx.runtime.device;
  o.data_dir = t.data;
  if (!t.size.empty()) std::tie(o.height, o.width) = parse_size_hw(t.size);
  const TrainBenchResult r = bench_training(config, o);
  if (a.json) {
    print_line(nlohmann::json{{"results", {to_json(r)}}}.dump());
    return 0;
  }
  std::printf("train: %s at %ldx%ld, batch %ld, %d threads, median of %d steps (data loading included)\n",
              r.config.c_str(), static_cast<long>(r.height), static_cast<long>(r.width), static_cast<long>(r.batch),
              r.threads, r.steps);
  std::printf("  %-14s %10s %10s %10s %12s\n", "net", "images/s", "step ms", "p90 ms", "data wait ms");
  std::printf("  %-14s %10.1f %10.1f %10.1f %12.1f\n", r.net.c_str(), r.images_per_s, r.median_step_ms, r.p90_step_ms,
              r.median_data_wait_ms);
  return 0;
}

struct InferBenchArgs {
  std::string model;
  std::string engine = "all";
};

void add_infer_bench_options(CLI::App* sub, InferBenchArgs& i) {
  sub->add_option("--model", i.model, "inference: the model to time: " + engine_list())
      ->check(CLI::ExistingFile);
  sub->add_option("--engine", i.engine, "inference: " + join_names(engine_registry().names()) + " or all (default all)");
}

// Options the inference mode shares with --train keep their --train defaults unless given on the command line.
struct InferGiven {
  bool batch = false, runs = false, warmup = false;
};

int run_infer_bench(const BenchArgs& a, const TrainBenchArgs& t, const InferBenchArgs& i, const InferGiven& given,
                    const Context& ctx) {
  InferBenchOptions o;
  o.model = i.model;
  o.config = a.config;
  o.overrides = a.sets;
  o.engines = parse_engine_choice(i.engine);
  if (!t.size.empty()) std::tie(o.height, o.width) = parse_size_hw(t.size);
  if (given.batch) o.batch = t.batch;
  if (given.runs) o.runs = a.runs;
  if (given.warmup) o.warmup = t.warmup;
  o.device = ctx.runtime.device;
  const auto results = bench_inference(o);
  // An engine that could not open or run the model has its reason in its row, and the command fails.
  const bool failed = std::any_of(results.begin(), results.end(), [](const auto& r) { return !r.error.empty(); });
  if (a.json) {
    print_line(to_json(results).dump());
    return failed ? 1 : 0;
  }
  std::printf("inference: %s, net alone (preprocessed input to probability), %d timed runs after %d warm-up\n",
              (o.model.empty() ? o.config : o.model).c_str(), o.runs, o.warmup);
  std::printf("  %-12s %9s %5s %7s %10s %10s %10s %9s\n", "engine", "size", "batch", "threads", "median ms", "p90 ms",
              "p99 ms", "fps");
  for (const auto& r : results) {
    if (!r.error.empty()) {
      std::printf("  %-12s failed: %s\n", r.engine.c_str(), r.error.c_str());
      continue;
    }
    const std::string size = std::to_string(r.height) + "x" + std::to_string(r.width);
    std::printf("  %-12s %9s %5ld %7d %10.2f %10.2f %10.2f %9.1f\n", r.engine.c_str(), size.c_str(),
                static_cast<long>(r.batch), r.threads, r.median_ms, r.p90_ms, r.p99_ms, r.fps);
  }
  return failed ? 1 : 0;
}

}  // namespace

void register_bench(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<BenchArgs>();
  auto train_args = std::make_shared<TrainBenchArgs>();
  auto infer_args = std::make_shared<InferBenchArgs>();
  auto* sub = add_command(app, "bench");
  auto* loader = sub->add_flag("--loader", args->loader, "measure decoding + augmentation throughput");
  sub->add_option("--config", args->config, "JSON config: its data (--loader), training (--train) or a fresh net (inference)")
      ->check(CLI::ExistingFile);
  sub->add_option("--set", args->sets, "override a config value: key.path=VALUE");
  sub->add_option("--workers-list", args->workers_list, "loader worker counts to measure (default 1,2)");
  sub->add_option("--runs", args->runs, "timed passes per setting (default 3 for --loader, 50 for inference)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--samples", args->samples, "samples per pass (default 256)")->check(CLI::PositiveNumber);
  sub->add_flag("--prior", args->prior, "include the prior channel synthesis (PortraitNet video)");
  sub->add_flag("--json", args->json, "print exactly one JSON object");
  add_train_bench_options(sub, *train_args);
  add_infer_bench_options(sub, *infer_args);
  add_runtime_options(sub, ctx);
  sub->callback([args, train_args, infer_args, &ctx, loader, sub] {
    if (train_args->train) {
      if (*loader) throw CLI::ValidationError("bench", "choose one mode: --loader or --train");
      if (args->config.empty()) throw CLI::ValidationError("bench", "--train needs --config");
      const bool threads_given = sub->get_option("--threads")->count() > 0;
      ctx.run = [args, train_args, &ctx, threads_given] {
        return run_train_bench(*args, *train_args, ctx, threads_given);
      };
      return;
    }
    if (!*loader) {
      if (infer_args->model.empty() == args->config.empty())
        throw CLI::ValidationError("bench", "inference: give --model or --config (or choose --loader or --train)");
      InferGiven given;
      given.batch = sub->get_option("--batch")->count() > 0;
      given.runs = sub->get_option("--runs")->count() > 0;
      given.warmup = sub->get_option("--warmup")->count() > 0;
      ctx.run = [args, train_args, infer_args, given, &ctx] {
        return run_infer_bench(*args, *train_args, *infer_args, given, ctx);
      };
      return;
    }
    if (!infer_args->model.empty()) throw CLI::ValidationError("bench", "--model is for inference, not --loader");
    if (args->config.empty()) throw CLI::ValidationError("bench", "--loader needs --config");
    ctx.run = [args] { return run_loader_bench(*args); };
  });
}

}  // namespace pseg::cli
