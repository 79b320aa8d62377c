// The `onnx-torch` engine opening an ONNX file (`eval`/`test`/`serve --model X.onnx` of an fp16 or int8 file): the
// model parsed, every initializer converted (its size checked against its data before allocation) and every
// node checked for an op the executor runs with the inputs it needs. Seeds: a 5 % width Mobile-Unet v3's fp16,
// int8 QDQ and int8 weights-only exports.
#include "core/onnx_exec/onnx_executor.h"
#include "tests/fuzz/fuzz_main.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = pseg::fuzz::write_input(data, size, "fuzz.onnx");
  pseg::fuzz::parse_or_reject([&] { pseg::OnnxExecutor executor(pseg::read_onnx_model(path)); });
  return 0;
}
