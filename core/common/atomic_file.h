#pragma once
// Files that matter (checkpoints, exports, run records) are written to a temp file beside the target and renamed
// into place, so a crash at any moment leaves either the old file or the new one, never a partial one.
#include <filesystem>
#include <string>

namespace pseg {

class AtomicFile {
 public:
  // Creates the target's directory if needed; nothing is written yet.
  explicit AtomicFile(const std::filesystem::path& target);
  // Removes the temp file unless commit() succeeded.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Where to write the new content.
  const std::filesystem::path& temp_path() const { return temp_; }
  // fsync of the temp file, rename over the target, fsync of the directory. Throws RuntimeError naming the target
  // when the sync or the rename fails (the temp file is then removed by the destructor, the old file kept).
  void commit();

 private:
  std::filesystem::path target_, temp_;
  bool committed_ = false;
};

// Writes `text` to `path` through an AtomicFile. Throws RuntimeError naming the file when it cannot be written,
// synced or moved into place; the previous file is then intact and no temp file is left.
void write_text_atomic(const std::string& path, const std::string& text);

// Fault injection for tests: makes every following AtomicFile write (Open), sync (Sync) or rename (Rename) fail
// as the disk would, until reset with None.
enum class WriteFault { None, Open, Sync, Rename };
void inject_write_fault(WriteFault fault);

}  // namespace pseg
