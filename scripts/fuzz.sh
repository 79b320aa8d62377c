#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz for SECONDS each (default 60), starting from its committed corpus in
# tests/fuzz/corpus/<name>/. New inputs go to build-sanitize/fuzz/corpus/<name>/, findings (crash-*, leak-*,
# timeout-*, oom-*) to build-sanitize/fuzz/findings/<name>/; the run fails when a target reports one.
# scripts/fuzz.sh [SECONDS] [TARGET...]    docs/testing.md
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
scripts/sanitize-build.sh >/dev/null
source scripts/sanitizer-env.sh
build="$(pwd)/${SANITIZE_BUILD_DIR:-build-sanitize}/fuzz"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for t in "$build"/fuzz_*; do targets+=("$(basename "$t" | sed 's/^fuzz_//')"); done
fi
failed=()
for name in "${targets[@]}"; do
  corpus="$build/corpus/$name" findings="$build/findings/$name"
  mkdir -p "$corpus" "$findings"
  echo "fuzz: $name for ${seconds}s"
  # -timeout: one input may take 10 s (a hang otherwise); -rss_limit_mb: more memory is an out-of-memory finding.
  if ! "$build/fuzz_$name" "$corpus" "tests/fuzz/corpus/$name" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=2048 -artifact_prefix="$findings/" -print_final_stats=1 >"$findings/log.txt" 2>&1; then
    echo "fuzz: $name FAILED: $(ls "$findings" | grep -v log.txt | tr '\n' ' ')(log: $findings/log.txt)"
    tail -n 30 "$findings/log.txt"
    failed+=("$name")
  else
    grep -E "^stat::number_of_executed_units|^stat::new_units_added" "$findings/log.txt" | tr '\n' ' '
    echo
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]}"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, no findings"
