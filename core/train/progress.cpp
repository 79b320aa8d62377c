#include "core/train/progress.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

namespace pseg {

std::string format_duration(double seconds) {
  const auto s = static_cast<int64_t>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", static_cast<long>(s / 3600), static_cast<long>((s / 60) % 60));
  else
    std::snprintf(buf, sizeof buf, "%ldm%02lds", static_cast<long>(s / 60), static_cast<long>(s % 60));
  return buf;
}

ProgressReporter::ProgressReporter(int64_t epochs, int64_t steps_per_epoch, int64_t log_every)
    : epochs_(epochs), steps_(steps_per_epoch), log_every_(log_every > 0 ? log_every : 10),
      tty_(isatty(STDERR_FILENO) == 1 && spdlog::get_level() <= spdlog::level::info) {}

void ProgressReporter::start_epoch(int64_t epoch) {
  epoch_ = epoch;
  samples_ = 0;
  epoch_start_ = last_draw_ = Clock::now();
}

void ProgressReporter::step(int64_t step_in_epoch, double loss, double lr, int64_t samples) {
  samples_ += samples;
  const auto now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(samples_) / elapsed : 0.0;
  const int64_t done = step_in_epoch + 1;
  const double eta = done > 0 ? elapsed / static_cast<double>(done) * static_cast<double>(steps_ - done) : 0.0;
  if (tty_) {
    if (std::chrono::duration<double>(now - last_draw_).count() < 0.2 && done != steps_) return;
    last_draw_ = now;
    const int width = 24;
    const int filled = steps_ > 0 ? static_cast<int>(width * done / steps_) : 0;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "\repoch %ld/%ld [%s] %ld/%ld loss %.4f lr %.2e %.1f img/s ETA %s   ",
                 static_cast<long>(epoch_ + 1), static_cast<long>(epochs_), bar.c_str(), static_cast<long>(done),
                 static_cast<long>(steps_), loss, lr, rate, format_duration(eta).c_str());
    std::fflush(stderr);
    bar_open_ = true;
  } else if (done % log_every_ == 0 || done == steps_) {
    spdlog::info("epoch {}/{} step {}/{} loss {:.4f} lr {:.2e} {:.1f} img/s ETA {}", epoch_ + 1, epochs_, done, steps_,
                 loss, lr, rate, format_duration(eta));
  }
}

void ProgressReporter::finish_epoch() {
  if (bar_open_) std::fprintf(stderr, "\n");
  bar_open_ = false;
}

}  // namespace pseg
