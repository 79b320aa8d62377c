#pragma once
// The built-in launcher of data-parallel training (`portraitseg train --nproc-per-node N`): starts N local
// workers of this binary with the torchrun environment (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE,
// MASTER_ADDR, MASTER_PORT), forwards their stdout and stderr line by line with a "[rank k] " prefix, and when
// one worker fails stops the others and names it.
#include <string>
#include <vector>

namespace pseg {

struct LaunchOptions {
  int nproc_per_node = 1;
  int nnodes = 1;
  int node_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 0;           // 0: a free local port on one node, 29500 across nodes
  std::string program;           // the worker executable; "" = this process's own binary
  std::vector<std::string> args; // the workers' arguments (without the program name)
  double grace_s = 10;           // after a failure: SIGTERM to the others, SIGKILL after this many seconds
};

// The launch flags removed from a command line (both "--flag V" and "--flag=V") so the rest runs as a worker.
std::vector<std::string> worker_arguments(const std::vector<std::string>& argv);
// This process's own command line (argv[1..]) as the kernel recorded it.
std::vector<std::string> own_arguments();

// Runs the workers to completion. Returns 0 when all succeed, else the failing worker's exit code (1 when it
// died by a signal); the failure is logged naming the rank. SIGINT/SIGTERM are passed on to the workers, which
// stop at a step boundary. Throws std::invalid_argument for bad options, std::runtime_error when a worker
// cannot be started.
int launch_workers(const LaunchOptions& options);

}  // namespace pseg
