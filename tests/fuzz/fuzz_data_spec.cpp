// `--data SPEC` dataset specs (core/config/data_spec.h), one per input line.
#include <sstream>

#include "core/config/data_spec.h"
#include "tests/fuzz/fuzz_main.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> specs;
  std::istringstream lines(pseg::fuzz::as_text(data, size));
  for (std::string line; std::getline(lines, line);) specs.push_back(line);
  pseg::fuzz::parse_or_reject([&] { pseg::parse_data_specs(specs); });
  return 0;
}
