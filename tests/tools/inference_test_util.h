#pragma once
// Shared by the inference CLI tests (test, video, bench): small models made on the spot, either trained for a
// few epochs on tiny synthetic portraits or exported freshly initialised, and helpers to read the CLI's output.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/core/trainer_test_util.h"
#include "tests/test_support.h"

namespace pseg::test {

inline std::string write_json(const std::filesystem::path& path, const nlohmann::json& j) {
  write_text(path, j.dump(2));
  return path.string();
}

// A freshly initialised net at 64x64 exported to TorchScript and ONNX; `model` is the config's model section,
// e.g. {"net": "portrait_net", "in_channels": 4}. Returns the files' common path without extension: add ".pt" or
// ".onnx".
inline std::filesystem::path export_untrained(const ScratchDir& dir, const std::string& name, nlohmann::json model) {
  model["input_size"] = {64, 64};
  const std::string cfg = write_json(dir / (name + ".json"), {{"model", model}});
  const std::filesystem::path out = dir / (name + "_export");
  const auto r = run_cli("export --config " + shell_arg(cfg) + " --no-verify --out " + shell_arg(out));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  return out / name;
}

// The last line of `out` that parses as a JSON object (the --json result; log lines come before it).
inline nlohmann::json last_json(const std::string& out) {
  size_t end = out.size();
  while (end > 0) {
    const size_t start = out.rfind('\n', end - 1);
    const size_t from = start == std::string::npos ? 0 : start + 1;
    const std::string line = out.substr(from, end - from);
    if (!line.empty() && line[0] == '{') {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded()) return j;
    }
    if (start == std::string::npos) break;
    end = start;
  }
  FAIL("no JSON object in the output:\n" << out);
  return {};
}

}  // namespace pseg::test
