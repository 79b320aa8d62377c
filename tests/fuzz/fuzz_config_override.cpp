// `--set key.path=VALUE` overrides, one per input line, applied to the demo config and parsed into a Config.
#include <sstream>

#include "core/config/config.h"
#include "tests/fuzz/fuzz_main.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> overrides;
  std::istringstream lines(pseg::fuzz::as_text(data, size));
  for (std::string line; std::getline(lines, line);) overrides.push_back(line);
  pseg::fuzz::parse_or_reject([&] { pseg::load_config(PSEG_SOURCE_DIR "/configs/demo.json", overrides); });
  return 0;
}
