#!/usr/bin/env bash
# Latency of fp32, fp16 and int8 ONNX files (docs/performance.md): the imported reference Prisma-Net and Slim-Net
# exported in each precision, timed in every portraitseg engine that runs the file (`portraitseg bench`) and in
# onnxruntime (tests/bench/onnx_bench.js), side by side, batch 1, native size.
#   tests/bench/precision.sh [PORTRAITSEG_BINARY] [RESULTS_DIR]
# Needs $PORTRAITSEG_REFERENCE; onnxruntime columns are left empty where npm onnxruntime-node is not installed.
# Environment: THREADS (2), RUNS (30). A benchmark: run it on an idle machine.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-$root/build/tools/portraitseg}"
out="${2:-$root/runs/bench/precision}"
threads="${THREADS:-2}"
runs="${RUNS:-30}"
ref="${PORTRAITSEG_REFERENCE:?set PORTRAITSEG_REFERENCE to the reference files}"
mkdir -p "$out"
voc="voc:$ref/datasets/VOCdevkit/person"

for pair in prisma_net:prisma_nchw.onnx slim_net:slim_reshape.h5; do
  net=${pair%%:*}
  "$bin" import --from "$ref/models/${pair#*:}" --net "$net" --out "$out/$net.ckpt" --quiet > /dev/null || exit 1
  "$bin" export --model "$out/$net.ckpt" --format onnx --out "$out/$net.fp32.onnx" --quiet > /dev/null || exit 1
  "$bin" export --model "$out/$net.ckpt" --precision fp16 --calibration "$voc" --out "$out" --quiet > /dev/null || exit 1
  "$bin" export --model "$out/$net.ckpt" --precision int8 --calibration "$voc" --out "$out" --quiet > /dev/null || exit 1
  "$bin" export --model "$out/$net.ckpt" --precision int8 --int8-scheme weights-only --out "$out/$net.int8w.onnx" \
    --quiet > /dev/null || exit 1
done

echo "date $(date -u +%Y-%m-%d), $threads threads, batch 1, native size, median ms of $runs runs"
printf '%-12s %-10s %10s %12s %12s\n' net precision opencv onnx-torch onnxruntime
for net in prisma_net slim_net; do
  for p in fp32 fp16 int8 int8w; do
    file="$out/$net.$p.onnx"
    "$bin" bench --model "$file" --threads "$threads" --runs "$runs" --json --quiet > "$out/$net.$p.bench.json" 2>/dev/null
    node "$root/tests/bench/onnx_bench.js" "$file" --threads "$threads" --runs "$runs" --json \
      > "$out/$net.$p.ort.json" 2>/dev/null
    /usr/bin/python3 - "$out/$net.$p.bench.json" "$out/$net.$p.ort.json" "$net" "$p" <<'PY'
import json, sys
def load(path):
    try:
        return json.load(open(path))
    except Exception:
        return None
engines = {r["engine"]: r["median_ms"] for r in (load(sys.argv[1]) or {}).get("results", [])}
ort = load(sys.argv[2])
ort_ms = ort["results"][0]["median_ms"] if ort and ort.get("results") else None
cell = lambda v: "%.1f" % v if v is not None else "-"
print("%-12s %-10s %10s %12s %12s" % (sys.argv[3], sys.argv[4], cell(engines.get("opencv")),
                                      cell(engines.get("onnx-torch")), cell(ort_ms)))
PY
  done
done
