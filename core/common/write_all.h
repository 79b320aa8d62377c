#pragma once
// Writing a whole buffer to a file descriptor: short writes and EINTR retried.
#include <unistd.h>

#include <cerrno>
#include <string>

namespace pseg {

// False with errno set when the bytes cannot all be written (ENOSPC for a write that makes no progress).
inline bool write_all(int fd, const std::string& bytes) {
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = ENOSPC;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace pseg
