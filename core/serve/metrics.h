#pragma once
// What `GET /metrics` reports, in the Prometheus text format: requests by route and status, a latency histogram,
// and the gauges the server samples when scraped (queue depth, in-flight requests, worker busy time, memory).
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace pseg {

struct ServeGauges {
  size_t queue_depth = 0;
  size_t queue_capacity = 0;
  size_t in_flight = 0;
  size_t workers = 0;
  size_t workers_busy = 0;
  double worker_busy_seconds = 0;
  int64_t resident_bytes = 0;
};

class ServeMetrics {
 public:
  // Upper bounds of the latency buckets, in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                      0.5,   1,    2.5,   5,    10,  30};

  // One finished request: its route (a fixed route name, "other" for anything else) and status.
  void record(const std::string& route, int status, double seconds);
  std::string prometheus_text(const ServeGauges& gauges) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::array<uint64_t, kBuckets.size()> buckets_{};
  uint64_t count_ = 0;
  double sum_ = 0;
};

// This process's resident memory in bytes (VmRSS), or 0 where /proc does not say.
int64_t resident_memory_bytes();

}  // namespace pseg
