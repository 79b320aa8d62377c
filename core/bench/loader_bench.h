#pragma once
// Throughput of decoding + augmentation: samples per second of a BatchLoader over a source, per worker count.
#include <memory>
#include <vector>

#include "data/augment_config.h"
#include "data/sample.h"

namespace pseg {

struct LoaderBenchOptions {
  std::vector<int> workers{1, 2};
  int runs = 3;               // timed passes per worker count; the median is reported
  size_t max_samples = 256;   // samples per pass (fewer when the source is smaller)
  int batch_size = 8;
  int size = 224;             // square input side
  bool prior = false;         // 4-channel input with prior synthesis (PortraitNet video)
};

struct LoaderBenchResult {
  int workers = 0;
  size_t samples = 0;                 // per pass
  double samples_per_second = 0;      // median over runs
  std::vector<double> runs;           // samples/s of each pass
};

// The full PortraitNet training recipe (deformation, flip, texture view, majority filter, boundary, and the
// prior when asked) at options.size, BGR with the PortraitNet normalisation, after one untimed warm-up batch.
AugmentConfig portraitnet_bench_recipe();
std::vector<LoaderBenchResult> bench_loader(std::shared_ptr<const SampleSource> source, const LoaderBenchOptions& o);

}  // namespace pseg
