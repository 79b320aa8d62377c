#include "core/torch_runtime/memory_format.h"
#include "core/train/hooks.h"

namespace pseg {

void ChannelsLastHook::before_run(TrainContext& c) {
  if (c.config.train.channels_last && !c.config.train.quantization_aware)
    set_weight_memory_format(c.net, c10::MemoryFormat::ChannelsLast);
}

}  // namespace pseg
