#!/usr/bin/env bash
# Configures and builds portraitseg (Release, precompiled headers). Extra arguments go to cmake's configure step,
# e.g. scripts/build.sh -DCMAKE_PREFIX_PATH=/opt/libtorch for another LibTorch.
# BUILD_DIR (default build) and JOBS (default: nproc, capped by memory) can be set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
if [ -z "${JOBS:-}" ]; then
  # A torch translation unit peaks at ~1.6 GB of compiler memory.
  mem_gb=$(awk '/MemAvailable/ {print int($2 / 1048576)}' /proc/meminfo)
  JOBS=$(nproc)
  [ "$mem_gb" -ge 2 ] && [ $((mem_gb / 2)) -lt "$JOBS" ] && JOBS=$((mem_gb / 2))
  [ "$JOBS" -lt 1 ] && JOBS=1
fi
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$BUILD_DIR" -j"$JOBS"
echo "build: $BUILD_DIR/tools/portraitseg"
