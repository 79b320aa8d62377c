#pragma once
// The one writer of every file a user keeps (checkpoints, exports, run records, eval and test outputs, synth
// datasets, videos): content goes to a temp file beside the target, which is synced and renamed into place, so a
// crash or a failing disk at any moment leaves either the old file or the new one, never a partial one, and no
// temp file once the process has handled the error.
#include <opencv2/core/mat.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace pseg {

class AtomicFile {
 public:
  // Creates the target's directory if needed; nothing is written yet.
  explicit AtomicFile(const std::filesystem::path& target);
  // Removes the temp file unless commit() succeeded.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Where to write the new content: ".<stem>.tmp-<pid><extension>" beside the target, so writers that pick a
  // format by extension (OpenCV, video containers) see the target's.
  const std::filesystem::path& temp_path() const { return temp_; }
  // fsync of the temp file, rename over the target, fsync of the directory. Throws RuntimeError naming the target
  // when the sync or the rename fails (the temp file is then removed by the destructor, the old file kept).
  void commit();

 private:
  std::filesystem::path target_, temp_;
  bool committed_ = false;
};

// Writes `bytes` to `path` through an AtomicFile. Throws RuntimeError naming the file and the system's reason when
// it cannot be written, synced or moved into place; the previous file is then intact and no temp file is left.
void write_file_atomic(const std::string& path, const std::string& bytes);

// Encodes `image` in the format of `path`'s extension (cv::imencode with OpenCV's defaults; for PNG its fast
// setting, the SUB filter at zlib's best speed) and writes it with write_file_atomic. Throws RuntimeError naming
// the file when it cannot be encoded or written. `test`'s and `serve`'s pictures are encoded by encode_image
// (core/infer/image_format.h) instead.
void write_image_atomic(const std::string& path, const cv::Mat& image);

// Fault injection for tests: makes every following write (Open), sync (Sync) or rename (Rename) fail as the disk
// would, until reset with None. A process started with PORTRAITSEG_INJECT_WRITE_FAULT=open|sync|rename begins with
// that fault (the command-line tests; docs/testing.md); no-space and permission faults are produced for real.
enum class WriteFault { None, Open, Sync, Rename };
void inject_write_fault(WriteFault fault);

}  // namespace pseg
