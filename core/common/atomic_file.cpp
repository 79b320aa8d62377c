#include "core/common/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/common/errors.h"

namespace fs = std::filesystem;

namespace pseg {
namespace {

WriteFault g_fault = WriteFault::None;

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
  temp_ = dir / ("." + target_.filename().string() + ".tmp-" + std::to_string(::getpid()));
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

void write_text_atomic(const std::string& path, const std::string& text) {
  AtomicFile file(path);
  {
    std::ofstream out(file.temp_path(), std::ios::binary | std::ios::trunc);
    if (g_fault == WriteFault::Open) out.setstate(std::ios::failbit);
    out << text;
    out.flush();
    if (!out) throw RuntimeError(path + ": cannot write (" + file.temp_path().string() + ")");
  }
  file.commit();
}

}  // namespace pseg
