#include "core/train/run_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "core/common/errors.h"

namespace pseg {
namespace {

// "pid 1234 on host since 2026-12-04 12:00:00 UTC": what the holder writes into the lock file.
std::string holder_line() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char when[32];
  std::strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &utc);
  return "pid " + std::to_string(getpid()) + " on " + host + " since " + when;
}

std::string read_all(int fd) {
  std::string text;
  char buf[256];
  ssize_t n;
  if (lseek(fd, 0, SEEK_SET) < 0) return text;
  while ((n = read(fd, buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

RunDirLock::RunDirLock(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / ".lock").string();
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw RuntimeError(path + ": cannot create the run directory's lock file: " + std::strerror(errno));
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::string holder = read_all(fd_);
    close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      throw RuntimeError(dir + ": in use by another training run (" + (holder.empty() ? "holder unknown" : holder) +
                         "); wait for it to end or choose another train.run_dir");
    throw RuntimeError(path + ": cannot lock the run directory: " + std::strerror(err));
  }
  // The note only tells a rival who holds the lock; the lock holds without it.
  const std::string line = holder_line() + "\n";
  const bool noted = ftruncate(fd_, 0) == 0 &&
                     pwrite(fd_, line.data(), line.size(), 0) == static_cast<ssize_t>(line.size());
  if (!noted) spdlog::warn("{}: could not note this run as the holder: {}", path, std::strerror(errno));
}

RunDirLock::~RunDirLock() {
  if (fd_ >= 0) close(fd_);  // releases the lock
}

}  // namespace pseg
