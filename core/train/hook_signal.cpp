#include "core/common/interrupt.h"
#include "core/train/hooks.h"

namespace pseg {

void SignalHook::before_run(TrainContext&) { install_interrupt_handlers(); }

void SignalHook::before_sync(TrainContext&, StepSignals& s) { s.stop = s.stop || stop_requested(); }

}  // namespace pseg
