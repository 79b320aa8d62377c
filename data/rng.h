#pragma once
// Per-sample random generators: derived from (seed, epoch, index) so augmentation does not depend on which
// worker handles a sample or in which order.
#include <cstdint>
#include <random>

namespace pseg {

using Rng = std::mt19937_64;

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

inline Rng sample_rng(uint64_t seed, uint64_t epoch, uint64_t index) {
  return Rng(splitmix64(splitmix64(splitmix64(seed) ^ epoch) ^ index));
}

// Uniform draws with explicit formulas (std distributions differ between standard libraries).
inline double uniform(Rng& rng, double lo, double hi) {
  const double u = static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
  return lo + (hi - lo) * u;
}
// Integer in [lo, hi] inclusive.
inline int uniform_int(Rng& rng, int lo, int hi) {
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  return lo + static_cast<int>(rng() % span);
}
inline bool chance(Rng& rng, double p) { return uniform(rng, 0.0, 1.0) < p; }

}  // namespace pseg
