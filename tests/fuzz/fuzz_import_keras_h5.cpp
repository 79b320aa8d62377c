// `portraitseg import --from X.h5 --net mobile_unet_v3`: the file is parsed and its weights mapped onto
// the net, a 5 % width Mobile-Unet v3 (9k parameters) whose files make small seeds.
#include "core/import/import_job.h"
#include "tests/fuzz/fuzz_main.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/tiny_net.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const pseg::Config config = pseg::import_config("mobile_unet_v3", "fuzz.h5", kTinyNet);
  const std::string path = pseg::fuzz::write_input(data, size, "fuzz.h5");
  pseg::fuzz::parse_or_reject([&] { pseg::import_weights(path, config); });
  return 0;
}
