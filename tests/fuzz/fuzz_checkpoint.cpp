// A checkpoint file (`eval --model X.ckpt`, `train --resume`, `export`): the archive, its config and the weights.
#include "core/model_io/checkpoint.h"
#include "tests/fuzz/fuzz_main.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = pseg::fuzz::write_input(data, size, "fuzz.ckpt");
  pseg::fuzz::parse_or_reject([&] { pseg::load_checkpoint(path); });
  return 0;
}
