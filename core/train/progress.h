#pragma once
// Training progress: a one-line bar redrawn in place on a terminal, plain periodic log lines otherwise.
#include <chrono>
#include <cstdint>
#include <string>

namespace pseg {

class ProgressReporter {
 public:
  // `log_every` steps between plain log lines when stderr is not a terminal.
  ProgressReporter(int64_t epochs, int64_t steps_per_epoch, int64_t log_every);
  // Ends an open bar line, so an error printed while unwinding starts on a line of its own.
  ~ProgressReporter() { finish_epoch(); }
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;
  void start_epoch(int64_t epoch);
  void step(int64_t step_in_epoch, double loss, double lr, int64_t samples);
  // Ends the bar line (if any) so later log lines start clean.
  void finish_epoch();

 private:
  using Clock = std::chrono::steady_clock;
  int64_t epochs_, steps_, log_every_;
  int64_t epoch_ = 0;
  int64_t samples_ = 0;
  bool tty_;
  bool bar_open_ = false;
  Clock::time_point epoch_start_, last_draw_;
};

std::string format_duration(double seconds);

}  // namespace pseg
