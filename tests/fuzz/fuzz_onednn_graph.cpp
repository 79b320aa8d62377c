// The `onednn` engine opening an fp32 ONNX file (`test`/`video`/`serve`/`eval --model X.onnx`, the launcher included):
// the model parsed, constants read, the graph rewritten (ReLU6, Pad, crop Slice, epilogues) with every value's
// dimensions inferred and bounded, then compiled into oneDNN primitives. Seeds: a 5 % width Mobile-Unet v3 export and
// a small graph with every op and rewrite (tests/fuzz/make_onednn_seed.py).
#include "core/onnx_exec/onednn_net.h"
#include "core/onnx_exec/onnx_file.h"
#include "tests/fuzz/fuzz_main.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = pseg::fuzz::write_input(data, size, "fuzz.onnx");
  pseg::fuzz::parse_or_reject([&] { pseg::OnednnNet net(pseg::read_onnx_model(path)); });
  return 0;
}
