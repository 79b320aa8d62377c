// AtomicFile: a write, sync or rename that fails raises an error naming the file, keeps the previous file and
// leaves no temp file behind (faults injected as the disk would report them).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "core/common/atomic_file.h"
#include "core/common/errors.h"
#include "tests/test_support.h"

using namespace pseg;
using namespace pseg::test;
namespace fs = std::filesystem;

namespace {

struct FaultGuard {
  explicit FaultGuard(WriteFault f) { inject_write_fault(f); }
  ~FaultGuard() { inject_write_fault(WriteFault::None); }
};

}  // namespace

TEST_CASE("atomic file: failed writes keep the old file and leave no temp file", "[core][atomic_file]") {
  const fs::path dir = fs::temp_directory_path() / ("pseg_atomic_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const fs::path target = dir / "record.json";
  write_file_atomic(target.string(), "old");
  REQUIRE(read_text(target) == "old");

  for (const auto& [fault, words] : {std::pair{WriteFault::Open, "cannot write ("},
                                     std::pair{WriteFault::Sync, "cannot write the new file to disk"},
                                     std::pair{WriteFault::Rename, "cannot move the new file into place"}}) {
    CAPTURE(words);
    FaultGuard guard(fault);
    try {
      write_file_atomic(target.string(), "new");
      FAIL("no error");
    } catch (const RuntimeError& e) {
      CHECK_THAT(e.what(), Catch::StartsWith(target.string()) && Catch::Contains(words));
    }
    CHECK(read_text(target) == "old");
    CHECK(file_count(dir) == 1);  // no temp file
  }
  write_file_atomic(target.string(), "new");
  CHECK(read_text(target) == "new");
  CHECK(file_count(dir) == 1);

  // A real failure, no injection: the target is a directory that holds a file, so the rename cannot replace it.
  const fs::path blocked = dir / "blocked.json";
  fs::create_directories(blocked / "inside");
  CHECK_THROWS_WITH(write_file_atomic(blocked.string(), "x"),
                    Catch::StartsWith(blocked.string()) && Catch::Contains("cannot move the new file into place"));
  CHECK(fs::is_directory(blocked / "inside"));
  CHECK(file_count(dir) == 2);  // record.json and the directory: no temp file
  fs::remove_all(dir);
}
