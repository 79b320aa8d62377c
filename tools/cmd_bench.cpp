// portraitseg bench: throughput measurements. Each mode is its own function; --loader measures decoding +
// PortraitNet augmentation of the config's train data.
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/loader_bench.h"
#include "data/dataset.h"
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
  const Config config = load_config(a.config, a.sets);
  if (config.data.train.empty()) throw std::invalid_argument(a.config + ": bench --loader needs a data.train section");
  const Dataset dataset = open_dataset(config.data);
  LoaderBenchOptions o;
  o.workers = parse_int_list("--workers-list", a.workers_list);
  o.runs = a.runs;
  o.max_samples = a.samples;
  o.prior = a.prior;
  const auto results = bench_loader(dataset.train, o);
  if (a.json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : results)
      rows.push_back({{"workers", r.workers}, {"samples", r.samples}, {"samples_per_second", r.samples_per_second},
                      {"runs", r.runs}});
    print_line(nlohmann::json{{"mode", "loader"}, {"size", o.size}, {"prior", o.prior}, {"results", rows}}.dump());
    return 0;
  }
  std::printf("loader: decode + PortraitNet augmentation at %dx%d%s, median of %d passes\n", o.size, o.size,
              o.prior ? " with prior" : "", o.runs);
  for (const auto& r : results)
    std::printf("  workers %-3d %8.1f samples/s  (%zu samples per pass)\n", r.workers, r.samples_per_second, r.samples);
  return 0;
}

}  // namespace

void register_bench(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<BenchArgs>();
  auto* sub = app.add_subcommand("bench", "Benchmark inference, training or data loading");
  auto* loader = sub->add_flag("--loader", args->loader, "measure decoding + augmentation throughput");
  sub->add_option("--config", args->config, "JSON config (its data.train section is benchmarked)")
      ->check(CLI::ExistingFile);
  sub->add_option("--set", args->sets, "override a config value: key.path=VALUE");
  sub->add_option("--workers-list", args->workers_list, "loader worker counts to measure (default 1,2)");
  sub->add_option("--runs", args->runs, "timed passes per setting; the median is reported (default 3)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--samples", args->samples, "samples per pass (default 256)")->check(CLI::PositiveNumber);
  sub->add_flag("--prior", args->prior, "include the prior channel synthesis (PortraitNet video)");
  sub->add_flag("--json", args->json, "print exactly one JSON object");
  add_runtime_options(sub, ctx);
  sub->callback([args, &ctx, loader] {
    if (!*loader) throw CLI::ValidationError("bench", "choose a mode: --loader");
    if (args->config.empty()) throw CLI::ValidationError("bench", "--loader needs --config");
    ctx.run = [args] { return run_loader_bench(*args); };
  });
}

}  // namespace pseg::cli
