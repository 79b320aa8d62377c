#!/usr/bin/env bash
# Builds portraitseg with clang, AddressSanitizer + UndefinedBehaviorSanitizer and libFuzzer coverage into
# build-sanitize/ (SANITIZE_BUILD_DIR): the unit tests (tests/{nets,data,losses,core}) and the fuzz targets
# (tests/fuzz). Used by scripts/sanitize.sh and scripts/fuzz.sh; extra arguments go to cmake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh >/dev/null
BUILD_DIR=${SANITIZE_BUILD_DIR:-build-sanitize}
# -O1 and line tables: the usual sanitizer set-up (readable stacks, a third of -O3's compile time).
CC=clang-14 CXX=clang++-14 cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG -gline-tables-only" \
  -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld \
  -DPSEG_SANITIZE=address,undefined -DPSEG_FUZZ=ON -DPSEG_TEST_SUITES="nets;data;losses;core" "$@" >/dev/null
JOBS=${JOBS:-$(nproc)}
cmake --build "$BUILD_DIR" -j"$JOBS"
