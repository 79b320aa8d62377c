// A config file: JSON text parsed into the typed Config (`train --config FILE`, `eval --config FILE`).
#include "core/config/config.h"
#include "tests/fuzz/fuzz_main.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pseg::fuzz::parse_or_reject([&] {
    pseg::parse_config(pseg::parse_json_text(pseg::fuzz::as_text(data, size), "fuzz.json"), "fuzz.json");
  });
  return 0;
}
