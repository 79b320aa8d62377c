#include "core/common/child_process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include "core/common/write_all.h"

// Present when a sanitizer runtime is linked (scripts/sanitize.sh, the fuzzers): a fuzzer's death callback would
// record the child's end as the fuzzer's own crash.
extern "C" void __sanitizer_set_death_callback(void (*)()) __attribute__((weak));

namespace pseg {

constexpr int kChildThrew = 3;  // the child's exit code when `work` threw: its message follows

std::string run_in_child(const std::function<std::string()>& work, const std::string& what, const std::string& failure) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error(what + ": cannot create a pipe: " + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error(what + ": cannot start a child process: " + std::strerror(err));
  }
  if (pid == 0) {
    ::close(fds[0]);
    // The child dies plainly: handlers inherited from the parent (a fuzzer's crash reporter) must not run in it.
    for (const int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) std::signal(sig, SIG_DFL);
    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(nullptr);
    std::string out;
    int code = 0;
    try {
      out = work();
    } catch (const std::exception& e) {
      out = e.what();
      code = kChildThrew;
    }
    // _exit: no atexit handlers or static destructors of the parent's state run twice.
    ::_exit(write_all(fds[1], out) ? code : 1);
  }
  ::close(fds[1]);
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return out;
  if (WIFEXITED(status) && WEXITSTATUS(status) == kChildThrew) throw std::runtime_error(out);
  throw std::runtime_error(what + ": " + failure);
}

}  // namespace pseg
