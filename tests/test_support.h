#pragma once
// Shared helpers for the test suites: scratch directories, running the CLI, the reference-data switch, reading and
// writing small files.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <string>

namespace pseg::test {

// ctest reports a test that exits with this code as skipped (SKIP_RETURN_CODE in tests/CMakeLists.txt).
constexpr int kSkipCode = 4;

// The directory named by $PORTRAITSEG_REFERENCE; without it the calling test is reported as skipped.
inline std::filesystem::path reference_dir_or_skip() {
  const char* env = std::getenv("PORTRAITSEG_REFERENCE");
  if (!env || !*env || !std::filesystem::is_directory(env)) {
    std::cout << "SKIPPED: PORTRAITSEG_REFERENCE is not set to a directory" << std::endl;
    std::exit(kSkipCode);
  }
  return env;
}

// A fresh directory under the build tree's test folder, removed when the object goes out of scope.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag) {
    std::random_device rd;
    path_ = std::filesystem::current_path() / ("scratch_" + tag + "_" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

// Runs a shell command, capturing stdout and stderr together; returns the exit status (127 when not found).
inline CommandResult run_shell(const std::string& cmd) {
  CommandResult r;
  FILE* pipe = popen((cmd + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Runs the built portraitseg binary with `args` (a shell-quoted string), after `wrapper` (shell words such as
// "env VAR=1 ") when given, and captures its output.
inline CommandResult run_cli(const std::string& args, const std::string& wrapper = "") {
  return run_shell(wrapper + "\"" + PSEG_BINARY + "\" " + args);
}

// Path of a file in the source tree (configs, fixtures).
inline std::string source_path(const std::string& rel) { return std::string(PSEG_SOURCE_DIR) + "/" + rel; }

// A path as one shell argument (the tests' paths hold no quotes).
inline std::string shell_arg(const std::filesystem::path& p) { return "\"" + p.string() + "\""; }

// Writes `text` (any bytes: text and binary files are the same on Linux) to `p`, creating its folder.
inline void write_text(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

// A file's bytes ("" when it cannot be read).
inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A JSON file's contents; throws when it does not parse.
inline nlohmann::json read_json(const std::filesystem::path& p) { return nlohmann::json::parse(std::ifstream(p)); }

// How many entries a directory holds; 0 when it does not exist.
inline size_t file_count(const std::filesystem::path& dir) {
  if (!std::filesystem::exists(dir)) return 0;
  using Entries = std::filesystem::directory_iterator;
  return static_cast<size_t>(std::distance(Entries(dir), Entries()));
}

}  // namespace pseg::test
