#pragma once
// `portraitseg serve` as the tests run it: a child process on a free loopback port (--port 0, the port read from its
// "listening on" line), stopped with SIGTERM; and an HTTP client to it.
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/test_support.h"

namespace pseg::test {

class ServerProcess {
 public:
  // Starts `portraitseg serve --model MODEL --port 0 ARGS...`; its output goes to files in `dir`.
  ServerProcess(const ScratchDir& dir, const std::string& model, std::vector<std::string> args = {})
      : out_(dir / ("serve_" + std::to_string(++count()) + ".out")), err_(out_.string() + ".err") {
    std::vector<std::string> argv = {PSEG_BINARY, "serve", "--model", model, "--port", "0"};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = fork();
    if (pid_ == 0) {
      (void)!freopen(out_.c_str(), "w", stdout);
      (void)!freopen(err_.c_str(), "w", stderr);
      std::vector<char*> c;
      for (auto& a : argv) c.push_back(a.data());
      c.push_back(nullptr);
      execv(c[0], c.data());
      _exit(127);
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < until) {
      const std::string text = read_text(out_);
      const size_t at = text.find("listening on http://127.0.0.1:");
      if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
        port_ = std::stoi(text.substr(at + 30));
        return;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        FAIL("serve exited before listening:\n" << read_text(err_));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL("serve did not listen within 120 s:\n" << read_text(err_));
  }
  ~ServerProcess() {
    if (pid_ > 0) stop();
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Keep-alive: one connection, so the server answers (and logs and counts) a client's requests in order on one
  // thread, and /metrics sees every earlier request of that client counted.
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60);
    c.set_keep_alive(true);
    return c;
  }
  // What the server logged so far.
  std::string log() const { return read_text(err_); }

  // SIGTERM, then the exit code (-1 when it did not exit within 60 s, or died of a signal).
  int stop() {
    kill(pid_, SIGTERM);
    return wait_exit(60);
  }
  int wait_exit(int seconds) {
    int status = 0;
    for (int i = 0; i < seconds * 50; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return -1;
  }

 private:
  static int& count() {
    static int n = 0;
    return n;
  }
  std::filesystem::path out_;
  std::filesystem::path err_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace pseg::test
