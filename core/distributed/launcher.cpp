#include "core/distributed/launcher.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <stdexcept>

#include "core/common/interrupt.h"

namespace pseg {
namespace {

using Clock = std::chrono::steady_clock;

const std::set<std::string> kLaunchFlags = {"--nproc-per-node", "--nnodes", "--node-rank", "--master-addr",
                                            "--master-port"};

// A port the kernel reports free on this machine (taken by rank 0's store moments later).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("launcher: cannot open a socket to find a free port");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (!ok) throw std::runtime_error("launcher: cannot find a free port; give --master-port");
  return ntohs(addr.sin_port);
}

void write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = write(fd, s.data() + done, s.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

struct Stream {
  int fd = -1;
  int out_fd = 1;
  std::string prefix;
  std::string pending;  // bytes after the last newline
};

struct Worker {
  int rank = 0;
  pid_t pid = -1;
  std::optional<int> status;  // waitpid status once exited
  Stream out, err;
};

std::string describe_exit(int status) {
  if (WIFSIGNALED(status))
    return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  return "exited with code " + std::to_string(WEXITSTATUS(status));
}

bool failed(int status) { return !WIFEXITED(status) || WEXITSTATUS(status) != 0; }

// Forwards complete lines (all of it at end of stream) with the stream's prefix; false at end of stream.
bool pump(Stream& s) {
  char buf[4096];
  const ssize_t n = read(s.fd, buf, sizeof buf);
  if (n > 0) {
    s.pending.append(buf, static_cast<size_t>(n));
    size_t start = 0, nl;
    std::string out;
    while ((nl = s.pending.find('\n', start)) != std::string::npos) {
      out += s.prefix + s.pending.substr(start, nl - start + 1);
      start = nl + 1;
    }
    s.pending.erase(0, start);
    write_all(s.out_fd, out);
    return true;
  }
  if (n < 0 && errno == EINTR) return true;
  if (!s.pending.empty()) write_all(s.out_fd, s.prefix + s.pending + "\n");
  s.pending.clear();
  close(s.fd);
  s.fd = -1;
  return false;
}

pid_t start_worker(const LaunchOptions& o, int local_rank, int world, int port, int out_pipe[2], int err_pipe[2]) {
  const std::string program = o.program.empty() ? "/proc/self/exe" : o.program;
  std::vector<std::string> argv_s{program};
  argv_s.insert(argv_s.end(), o.args.begin(), o.args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int rank = o.node_rank * o.nproc_per_node + local_rank;
  const std::vector<std::pair<std::string, std::string>> env = {
      {"RANK", std::to_string(rank)},
      {"WORLD_SIZE", std::to_string(world)},
      {"LOCAL_RANK", std::to_string(local_rank)},
      {"LOCAL_WORLD_SIZE", std::to_string(o.nproc_per_node)},
      {"GROUP_RANK", std::to_string(o.node_rank)},
      {"MASTER_ADDR", o.master_addr},
      {"MASTER_PORT", std::to_string(port)}};
  const pid_t launcher = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("launcher: fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    // A worker never outlives the launcher (e.g. after a second Ctrl-C or kill -9 of the launcher).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != launcher) _exit(1);
    // Its own process group: a terminal's Ctrl-C reaches the launcher only, which passes on one SIGTERM
    // (a worker treats a second signal as "exit now").
    setpgid(0, 0);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    execv(program.c_str(), argv.data());
    const std::string msg = "launcher: cannot run " + program + ": " + std::strerror(errno) + "\n";
    (void)!write(STDERR_FILENO, msg.data(), msg.size());
    _exit(127);
  }
  return pid;
}

}  // namespace

std::vector<std::string> worker_arguments(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    const std::string name = a.substr(0, a.find('='));
    if (kLaunchFlags.count(name)) {
      if (a.find('=') == std::string::npos) ++i;  // its value follows
      continue;
    }
    out.push_back(a);
  }
  return out;
}

std::vector<std::string> own_arguments() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  size_t start = 0;
  while (start < all.size()) {
    const size_t end = all.find('\0', start);
    args.push_back(all.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (!args.empty()) args.erase(args.begin());
  return args;
}

namespace {

// Starts the workers of this node, their stdout and stderr piped back with a "[rank k] " prefix.
std::vector<Worker> start_workers(const LaunchOptions& o, int world, int port) {
  std::vector<Worker> workers(static_cast<size_t>(o.nproc_per_node));
  for (int i = 0; i < o.nproc_per_node; ++i) {
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0)
      throw std::runtime_error(std::string("launcher: pipe failed: ") + std::strerror(errno));
    Worker& w = workers[static_cast<size_t>(i)];
    w.rank = o.node_rank * o.nproc_per_node + i;
    w.pid = start_worker(o, i, world, port, out_pipe, err_pipe);
    close(out_pipe[1]);
    close(err_pipe[1]);
    const std::string prefix = "[rank " + std::to_string(w.rank) + "] ";
    w.out = {out_pipe[0], STDOUT_FILENO, prefix, ""};
    w.err = {err_pipe[0], STDERR_FILENO, prefix, ""};
    spdlog::info("launcher: started rank {} of {} (pid {}), master {}:{}", w.rank, world, w.pid, o.master_addr, port);
  }
  return workers;
}

// Forwards whatever the workers wrote, waiting at most 100 ms for it.
void forward_output(std::vector<Worker>& workers) {
  std::vector<pollfd> fds;
  std::vector<Stream*> streams;
  for (auto& w : workers)
    for (Stream* s : {&w.out, &w.err})
      if (s->fd >= 0) {
        fds.push_back({s->fd, POLLIN, 0});
        streams.push_back(s);
      }
  if (fds.empty()) {
    usleep(20000);
    return;
  }
  if (poll(fds.data(), fds.size(), 100) <= 0) return;
  for (size_t i = 0; i < fds.size(); ++i)
    if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) pump(*streams[i]);
}

// Watches the workers: the first failure (or a stop signal to the launcher) asks the others to stop, and after
// the grace period kills what is left.
class Supervisor {
 public:
  Supervisor(std::vector<Worker>& workers, double grace_s) : workers_(workers), grace_s_(grace_s) {}

  // Reaps exited workers; true once every worker has exited and its output is drained.
  bool all_done() {
    bool done = true;
    for (size_t i = 0; i < workers_.size(); ++i) {
      Worker& w = workers_[i];
      int status = 0;
      if (!w.status && waitpid(w.pid, &status, WNOHANG) == w.pid) {
        w.status = status;
        if (failed(status) && !first_failure_ && !forwarded_stop_) {
          first_failure_ = i;
          spdlog::error("launcher: rank {} (pid {}) {}; stopping the other workers", w.rank, w.pid,
                        describe_exit(status));
          signal_others(SIGTERM);
        }
      }
      done = done && w.status && w.out.fd < 0 && w.err.fd < 0;
    }
    return done;
  }

  void handle_stop_and_grace() {
    if (stop_requested() && !forwarded_stop_ && !first_failure_) {
      forwarded_stop_ = true;
      spdlog::warn("launcher: signal {}: asking the workers to stop at the next step", stop_signal());
      signal_others(SIGTERM);
    }
    if ((first_failure_ || forwarded_stop_) && !killed_ &&
        std::chrono::duration<double>(Clock::now() - stop_sent_).count() > grace_s_) {
      bool any = false;
      for (const auto& w : workers_) any = any || !w.status;
      if (any) spdlog::warn("launcher: workers still running {:.0f} s after the stop request: killing them", grace_s_);
      signal_others(SIGKILL);
      killed_ = true;
    }
  }

  // The run's exit code: the first failing worker's (1 when it died by a signal), else 0.
  int exit_code() const {
    if (first_failure_) {
      const Worker& w = workers_[*first_failure_];
      spdlog::error("launcher: training failed: rank {} {}", w.rank, describe_exit(*w.status));
      return WIFEXITED(*w.status) ? WEXITSTATUS(*w.status) : 1;
    }
    for (const auto& w : workers_)
      if (failed(*w.status)) return WIFEXITED(*w.status) ? WEXITSTATUS(*w.status) : 1;
    return 0;
  }

 private:
  void signal_others(int sig) {
    for (auto& w : workers_)
      if (!w.status) {
        kill(w.pid, sig);
        if (sig == SIGTERM) kill(w.pid, SIGCONT);  // a stopped (hung) worker handles it too
      }
    if (sig == SIGTERM) stop_sent_ = Clock::now();
  }

  std::vector<Worker>& workers_;
  double grace_s_;
  std::optional<size_t> first_failure_;
  bool forwarded_stop_ = false, killed_ = false;
  Clock::time_point stop_sent_{};
};

}  // namespace

int launch_workers(const LaunchOptions& o) {
  if (o.nproc_per_node < 1) throw std::invalid_argument("--nproc-per-node: must be >= 1");
  if (o.nnodes < 1) throw std::invalid_argument("--nnodes: must be >= 1");
  if (o.node_rank < 0 || o.node_rank >= o.nnodes)
    throw std::invalid_argument("--node-rank: " + std::to_string(o.node_rank) + " is outside --nnodes " +
                                std::to_string(o.nnodes));
  if (o.master_port < 0 || o.master_port > 65535) throw std::invalid_argument("--master-port: not a TCP port");
  const int port = o.master_port > 0 ? o.master_port : (o.nnodes == 1 ? free_port() : 29500);
  install_interrupt_handlers();
  std::vector<Worker> workers = start_workers(o, o.nnodes * o.nproc_per_node, port);
  Supervisor supervisor(workers, o.grace_s);
  for (;;) {
    forward_output(workers);
    if (supervisor.all_done()) break;
    supervisor.handle_stop_and_grace();
  }
  return supervisor.exit_code();
}

}  // namespace pseg
