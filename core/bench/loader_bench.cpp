#include "core/bench/loader_bench.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "core/datasets/data_pipeline.h"
#include "data/loader.h"
#include "data/pipeline.h"
#include "nets/registry.h"
#include "nets/segnet.h"

namespace pseg {
namespace {

// Samples/s of one pass: batches until max_samples are consumed; the loader is dropped mid-epoch after that.
double timed_pass(const std::shared_ptr<const SampleSource>& source, const std::shared_ptr<const ExamplePipeline>& p,
                  const LoaderOptions& lo, uint64_t epoch, size_t samples) {
  BatchLoader loader(source, p, lo);
  loader.start_epoch(epoch);
  const auto t0 = std::chrono::steady_clock::now();
  size_t seen = 0;
  while (seen < samples) {
    auto b = loader.next();
    if (!b) break;
    seen += b->ids.size();
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return static_cast<double>(seen) / s;
}

}  // namespace

AugmentConfig portraitnet_bench_recipe() {
  AugmentConfig a;
  a.recipe = AugmentRecipe::PortraitNet;
  a.texture_view = true;
  a.boundary = true;
  a.majority_filter = true;
  return a;
}

std::vector<LoaderBenchResult> bench_loader(std::shared_ptr<const SampleSource> source, const LoaderBenchOptions& o) {
  if (!source || source->size() == 0) throw std::invalid_argument("bench --loader: the train data has no samples");
  if (o.runs < 1) throw std::invalid_argument("bench --loader: runs must be at least 1");
  // PortraitNet's own preprocessing (BGR, its mean and scale, padded to a square), at the benchmark's size.
  ModelConfig net;
  net.net = "portrait_net";
  net.height = net.width = o.size;
  if (o.prior) net.options.set("in_channels", int64_t{4});
  InputFormat f = input_format_for(create_net(net)->input_spec());
  auto pipeline = std::make_shared<const ExamplePipeline>(portraitnet_bench_recipe(), f, PipelineMode::Train);
  const size_t samples = std::min(o.max_samples, source->size());
  std::vector<LoaderBenchResult> results;
  for (const int w : o.workers) {
    LoaderOptions lo;
    lo.batch_size = o.batch_size;
    lo.workers = w;
    lo.prefetch = std::max(2, 2 * w);
    lo.drop_last = false;
    LoaderBenchResult r;
    r.workers = w;
    r.samples = samples;
    timed_pass(source, pipeline, lo, 0, static_cast<size_t>(o.batch_size));  // warm-up: caches, thread start
    for (int i = 0; i < o.runs; ++i) r.runs.push_back(timed_pass(source, pipeline, lo, 1 + i, samples));
    std::vector<double> sorted = r.runs;
    std::sort(sorted.begin(), sorted.end());
    r.samples_per_second = sorted[sorted.size() / 2];
    results.push_back(r);
  }
  return results;
}

}  // namespace pseg
