#pragma once
// Shared by the libFuzzer targets (docs/testing.md). Each target hands its input to one parser of untrusted input
// the way the tool does, usually as a file. Every std::exception is the tool's clean error path (the CLI prints it
// as one line and exits 1 or 2); what the fuzzer reports is a crash, a sanitizer report, a leak, a hang or memory
// past -rss_limit_mb.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace pseg::fuzz {

// This process's scratch directory, removed when it exits.
inline const std::filesystem::path& scratch() {
  struct Dir {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("pseg-fuzz-" + std::to_string(::getpid()));
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static Dir dir;
  return dir.path;
}

inline std::string as_text(const uint8_t* data, size_t size) { return std::string(reinterpret_cast<const char*>(data), size); }

// Writes the input to `relative` under the scratch directory and returns the file's path.
inline std::string write_input(const uint8_t* data, size_t size, const std::filesystem::path& relative) {
  const std::filesystem::path path = scratch() / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                                 static_cast<std::streamsize>(size));
  return path.string();
}

// Runs `parse`; an exception is a clean rejection of the input.
template <class F>
void parse_or_reject(F&& parse) {
  try {
    parse();
  } catch (const std::exception&) {
  }
}

}  // namespace pseg::fuzz
