#!/usr/bin/env bash
# Start-up (docs/performance.md, "Start-up"): wall time of whole commands, median of RUNS, for the launcher
# `portraitseg` (no LibTorch) beside `portraitseg-torch` (every command, LibTorch loaded):
#   --help; `test` on one 1-megapixel JPEG (1152 wide, 896 high) with an exported ONNX PortraitNet (fresh weights),
#   the mask alone and the cut-out; `test` on 20 such photos in one call.
#   tests/bench/startup.sh [BUILD_TOOLS_DIR] [RESULTS_DIR]
# Environment: THREADS (2), RUNS (10). A benchmark: run it on an idle machine.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tools="${1:-$root/build/tools}"
out="${2:-$root/runs/bench/startup}"
threads="${THREADS:-2}"
runs="${RUNS:-10}"
rm -rf "$out" && mkdir -p "$out"
launcher="$tools/portraitseg"
full="$tools/portraitseg-torch"

"$launcher" export --config "$root/configs/portrait_net.json" --format onnx --out "$out/portrait_net.onnx" \
  --no-verify --quiet > /dev/null || exit 1
"$launcher" synth --out "$out/photos" --count 20 --size 896x1152 --test-fraction 0 --quiet > /dev/null || exit 1
one="$(ls "$out"/photos/images/* | head -1)"

# Median wall milliseconds of RUNS runs of the command (after one untimed run that warms the page cache).
median_ms() {
  "$@" > /dev/null 2>&1 || { echo "failed: $*" >&2; echo "-"; return; }
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" > /dev/null 2>&1
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000 ))
  done | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
                                             printf "%.0f\n", m / 1000 }'
}

echo "date $(date -u +%Y-%m-%d), $threads threads, median wall ms of $runs runs"
printf '| %-44s | %12s | %18s |\n' command portraitseg portraitseg-torch
printf '|%s|%s:|%s:|\n' "$(printf -- '-%.0s' {1..46})" "$(printf -- '-%.0s' {1..13})" "$(printf -- '-%.0s' {1..19})"
row() {
  local name="$1"; shift
  printf '| %-44s | %12s | %18s |\n' "$name" "$(median_ms "$launcher" "$@")" "$(median_ms "$full" "$@")"
}
row "--help" --help
test_args=(--model "$out/portrait_net.onnx" --threads "$threads" --quiet)
row "test, 1 photo, --effect mask" test "${test_args[@]}" "$one" --effect mask --out "$out/o1"
row "test, 1 photo, --effect cutout" test "${test_args[@]}" "$one" --effect cutout --out "$out/o2"
row "test, 20 photos, --effect mask" test "${test_args[@]}" "$out/photos/images" --effect mask --out "$out/o3"
