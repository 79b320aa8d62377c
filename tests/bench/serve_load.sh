#!/usr/bin/env bash
# Load test of `portraitseg serve` beside `portraitseg test` on the same photos and model (docs/performance.md):
#   tests/bench/serve_load.sh [PORTRAITSEG_BINARY] [RESULTS_DIR]
# The model is the published Prisma-Net (imported from $PORTRAITSEG_REFERENCE/models/prisma_nchw.onnx, exported to
# ONNX) and the photos are the reference photos; without $PORTRAITSEG_REFERENCE, a freshly initialised Prisma-Net
# at its native 256x256 (the same cost) and synthetic photos. Environment: REQUESTS (5000), CONCURRENCY (8),
# WORKERS (2), THREADS (1 per worker), TEST_REPEAT (rounds of `test` over the photos, 10).
# A benchmark, not a test: run it on an otherwise idle machine.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-$root/build/tools/portraitseg}"
out="${2:-$root/runs/bench/serve_load}"
requests="${REQUESTS:-5000}"
concurrency="${CONCURRENCY:-8}"
workers="${WORKERS:-2}"
threads="${THREADS:-1}"
repeat="${TEST_REPEAT:-10}"
mkdir -p "$out/photos"

if [ -n "${PORTRAITSEG_REFERENCE:-}" ] && [ -f "$PORTRAITSEG_REFERENCE/models/prisma_nchw.onnx" ]; then
  "$bin" import --from "$PORTRAITSEG_REFERENCE/models/prisma_nchw.onnx" --net prisma_net --out "$out/prisma.ckpt" >/dev/null
  "$bin" export --model "$out/prisma.ckpt" --format onnx --out "$out/prisma.onnx" >/dev/null
  cp "$PORTRAITSEG_REFERENCE"/photos/* "$out/photos/"
  source_note="published Prisma-Net, reference photos"
else
  echo '{"model": {"net": "prisma_net", "input_size": [256, 256]}}' > "$out/prisma.json"
  "$bin" export --config "$out/prisma.json" --format onnx --no-verify --out "$out/prisma.onnx" >/dev/null
  "$bin" synth --out "$out/synth" --count 6 --size 768x1024 >/dev/null
  cp "$out"/synth/images/* "$out/photos/"
  source_note="untrained Prisma-Net 256x256, synthetic 1024x768 photos"
fi
photos=("$out"/photos/*)

# portraitseg test: the mask of every photo, TEST_REPEAT times, in one call (the model loaded once).
test_inputs=()
for _ in $(seq "$repeat"); do test_inputs+=("${photos[@]}"); done
"$bin" test --model "$out/prisma.onnx" --effect mask --threads "$((workers * threads))" --json --out "$out/test_out" \
  "${test_inputs[@]}" > "$out/test.json"

"$bin" serve --model "$out/prisma.onnx" --port 0 --workers "$workers" --threads "$threads" --queue 64 \
  > "$out/serve.out" 2> "$out/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 600); do grep -q "listening on" "$out/serve.out" 2>/dev/null && break; sleep 0.1; done
url="$(sed -n 's/^listening on //p' "$out/serve.out")"
node "$root/tests/bench/serve_load.js" "$url" "$server" --requests "$requests" --concurrency "$concurrency" \
  "${photos[@]}" > "$out/load.json"
kill -TERM $server
wait $server
trap - EXIT

/usr/bin/python3 - "$out" "$source_note" "$workers" "$threads" <<'PY'
import json, statistics, sys
out, note, workers, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
load = json.load(open(f"{out}/load.json"))
test = json.load(open(f"{out}/test.json"))
totals = [i["timing_ms"]["total"] for i in test["images"]]
infer = [i["timing_ms"]["inference"] for i in test["images"]]
print(f"serve load test ({note}); {workers} worker(s) x {threads} thread(s)")
print("| | requests | clients | req/s | p50 ms | p99 ms | errors | RSS after 100 | RSS at end | growth |")
print("|---|---|---|---|---|---|---|---|---|---|")
print(f"| serve /api/remove?om=true | {load['requests']} | {load['concurrency']} | {load['requests_per_s']:.1f} | "
      f"{load['p50_ms']:.1f} | {load['p99_ms']:.1f} | {load['errors']} | {load['rss_100_mb']:.1f} MB | "
      f"{load['rss_end_mb']:.1f} MB | {load['rss_growth_pct']:+.1f} % |")
print(f"| test --effect mask (one process, sequential) | {len(totals)} | 1 | {1000 / statistics.median(totals):.1f} | "
      f"{statistics.median(totals):.1f} | {sorted(totals)[int(0.99 * len(totals)) - 1]:.1f} | "
      f"{len(test['failed'])} | | | |")
print(f"test: median inference {statistics.median(infer):.1f} ms of a median total {statistics.median(totals):.1f} ms per photo")
PY
