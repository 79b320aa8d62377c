#include "core/train/hooks.h"

namespace pseg {

void TimeLimitHook::before_run(TrainContext&) { start_ = std::chrono::steady_clock::now(); }

void TimeLimitHook::before_sync(TrainContext&, StepSignals& s) {
  if (minutes_ <= 0) return;
  const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  s.out_of_time = s.out_of_time || elapsed_s > minutes_ * 60.0;
}

}  // namespace pseg
