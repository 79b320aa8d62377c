#include "core/serve/metrics.h"

#include <fstream>
#include <sstream>

namespace pseg {

void ServeMetrics::record(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{route, status}];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++buckets_[i];
  ++count_;
  sum_ += seconds;
}

std::string ServeMetrics::prometheus_text(const ServeGauges& g) const {
  std::ostringstream out;
  out << "# HELP portraitseg_requests_total HTTP requests answered, by route and status.\n"
         "# TYPE portraitseg_requests_total counter\n";
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [key, n] : requests_)
    out << "portraitseg_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << "\n";
  out << "# HELP portraitseg_request_duration_seconds Time from a request's arrival to its answer.\n"
         "# TYPE portraitseg_request_duration_seconds histogram\n";
  for (size_t i = 0; i < kBuckets.size(); ++i)
    out << "portraitseg_request_duration_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << buckets_[i] << "\n";
  out << "portraitseg_request_duration_seconds_bucket{le=\"+Inf\"} " << count_ << "\n"
      << "portraitseg_request_duration_seconds_sum " << sum_ << "\n"
      << "portraitseg_request_duration_seconds_count " << count_ << "\n";
  const auto gauge = [&out](const char* name, const char* help, auto value) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n" << name << " " << value << "\n";
  };
  gauge("portraitseg_queue_depth", "Requests waiting for a worker.", g.queue_depth);
  gauge("portraitseg_queue_capacity", "Requests that may wait before the server answers 503.", g.queue_capacity);
  gauge("portraitseg_requests_in_flight", "Requests being answered now.", g.in_flight);
  gauge("portraitseg_workers", "Inference workers.", g.workers);
  gauge("portraitseg_workers_busy", "Inference workers running a request now.", g.workers_busy);
  out << "# HELP portraitseg_worker_busy_seconds_total Time the workers spent on requests, all together.\n"
         "# TYPE portraitseg_worker_busy_seconds_total counter\n"
      << "portraitseg_worker_busy_seconds_total " << g.worker_busy_seconds << "\n";
  gauge("process_resident_memory_bytes", "Resident memory of the server process.", g.resident_bytes);
  return out.str();
}

int64_t resident_memory_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;  // "VmRSS:   1234 kB"
  }
  return 0;
}

}  // namespace pseg
