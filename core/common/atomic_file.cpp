#include "core/common/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "core/common/errors.h"
#include "core/common/write_all.h"

namespace fs = std::filesystem;

namespace pseg {
namespace {

WriteFault fault_from_environment() {
  const char* v = std::getenv("PORTRAITSEG_INJECT_WRITE_FAULT");
  const std::string name = v ? v : "";
  if (name == "open") return WriteFault::Open;
  if (name == "sync") return WriteFault::Sync;
  if (name == "rename") return WriteFault::Rename;
  return WriteFault::None;
}

WriteFault g_fault = fault_from_environment();

// Flushes `p` to the disk; false (errno set) when it cannot be opened or synced.
bool fsync_path(const fs::path& p, int flags) {
  if (g_fault == WriteFault::Sync) {
    errno = EIO;
    return false;
  }
  const int fd = ::open(p.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  errno = err;
  return ok;
}

}  // namespace

void inject_write_fault(WriteFault fault) { g_fault = fault; }

AtomicFile::AtomicFile(const fs::path& target) : target_(target) {
  const fs::path dir = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  temp_ = dir / ("." + target_.stem().string() + ".tmp-" + std::to_string(::getpid()) + target_.extension().string());
}

AtomicFile::~AtomicFile() {
  std::error_code ec;
  if (!committed_) fs::remove(temp_, ec);
}

void AtomicFile::commit() {
  if (!fsync_path(temp_, O_RDONLY))
    throw RuntimeError(target_.string() + ": cannot write the new file to disk: " + std::strerror(errno));
  if (g_fault == WriteFault::Rename) errno = EXDEV;
  if (g_fault == WriteFault::Rename || ::rename(temp_.c_str(), target_.c_str()) != 0)
    throw RuntimeError(target_.string() + ": cannot move the new file into place: " + std::strerror(errno));
  committed_ = true;
  // Makes the rename itself durable where the file system supports syncing a directory (best effort: the new
  // file is already in place).
  fsync_path(target_.has_parent_path() ? target_.parent_path() : fs::path("."), O_RDONLY | O_DIRECTORY);
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  AtomicFile file(path);
  const int fd = g_fault == WriteFault::Open ? (errno = EACCES, -1)
                                              : ::open(file.temp_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw RuntimeError(path + ": cannot write (" + file.temp_path().string() + "): " + std::strerror(errno));
  if (!write_all(fd, bytes)) {
    const int err = errno;
    ::close(fd);
    throw RuntimeError(path + ": cannot write (" + file.temp_path().string() + "): " + std::strerror(err));
  }
  if (::close(fd) != 0) throw RuntimeError(path + ": cannot write (" + file.temp_path().string() + "): " + std::strerror(errno));
  file.commit();
}

}  // namespace pseg
