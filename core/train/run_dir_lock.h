#pragma once
// An advisory lock on a run directory, held by the trainer that writes it: flock() on <dir>/.lock, released by the
// kernel when the process ends however it ends (kill -9 included), so no stale lock outlives its holder. A second
// trainer on the same directory (a fresh run or a --resume) fails naming the holder instead of interleaving
// checkpoints and logs.
#include <string>

namespace pseg {

class RunDirLock {
 public:
  // Throws RuntimeError "<dir>: in use by another training run (pid P on HOST since TIME)" when another process
  // holds the lock, or naming the lock file when it cannot be created.
  explicit RunDirLock(const std::string& dir);
  ~RunDirLock();
  RunDirLock(const RunDirLock&) = delete;
  RunDirLock& operator=(const RunDirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace pseg
