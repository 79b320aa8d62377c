// Model metadata of exported files: the input as an ONNX file (metadata_props read by `test`, `eval`, `bench`)
// and as the JSON of a .meta.json sidecar.
#include "core/model_io/model_meta.h"
#include "tests/fuzz/fuzz_main.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = pseg::fuzz::write_input(data, size, "fuzz.onnx");
  pseg::fuzz::parse_or_reject([&] { pseg::read_onnx_meta(path); });
  pseg::fuzz::parse_or_reject([&] {
    pseg::meta_from_json(nlohmann::json::parse(pseg::fuzz::as_text(data, size)), "fuzz.meta.json");
  });
  return 0;
}
