#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/errors.h"

namespace fs = std::filesystem;

namespace pseg {
namespace {

void fsync_path(const fs::path& p, int flags) {
  const int fd = ::open(p.c_str(), flags | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

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
  fsync_path(temp_, O_RDONLY);
  if (::rename(temp_.c_str(), target_.c_str()) != 0)
    throw RuntimeError(target_.string() + ": cannot move the new file into place: " + std::strerror(errno));
  committed_ = true;
  // Makes the rename itself durable.
  fsync_path(target_.has_parent_path() ? target_.parent_path() : fs::path("."), O_RDONLY | O_DIRECTORY);
}

void write_text_atomic(const std::string& path, const std::string& text) {
  AtomicFile file(path);
  {
    std::ofstream out(file.temp_path(), std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw RuntimeError(path + ": cannot write");
  }
  file.commit();
}

}  // namespace pseg
