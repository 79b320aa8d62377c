#pragma once
// Summary statistics of timing samples, shared by the benchmarks and the evaluator.
#include <vector>

namespace pseg {

// Nearest-rank percentile, p in (0, 100], of unsorted samples; 0 for no samples.
double percentile(std::vector<double> samples, double p);

}  // namespace pseg
