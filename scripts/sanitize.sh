#!/usr/bin/env bash
# Runs the unit tests (tests/{nets,data,losses,core}; not the command-line tests) under AddressSanitizer,
# UndefinedBehaviorSanitizer and LeakSanitizer. Any report fails its test. docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/sanitize-build.sh "$@"
source scripts/sanitizer-env.sh
cd "${SANITIZE_BUILD_DIR:-build-sanitize}"
ctest -L unit --output-on-failure --timeout 1800 -j"${CTEST_JOBS:-2}"
