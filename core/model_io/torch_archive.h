#pragma once
// Checks a LibTorch archive (checkpoint or TorchScript .pt: a zip of stored and deflated records) before LibTorch
// parses it. LibTorch 1.13 trusts the lengths inside its records: a flipped byte in data.pkl makes its unpickler reserve
// gigabytes (found by tests/fuzz/fuzz_checkpoint.cpp). Every record's CRC-32 is verified first, so a corrupted or
// truncated file is refused with a clear error before any of its content is interpreted.
#include <string>

namespace pseg {

// Throws std::runtime_error "<path>: not a <kind> (<reason>)" when the file is not a zip archive LibTorch wrote
// (stored or deflated records), a record lies outside the file, or a record's CRC-32 does not match its content;
// `kind` is what the caller expected, e.g. "portraitseg checkpoint" or "TorchScript archive".
void check_torch_archive(const std::string& path, const std::string& kind);

}  // namespace pseg
