#!/usr/bin/env bash
# How cost grows (docs/performance.md): inference latency of every net at about 0.5x, 1x and 2x its native input
# size on every engine, and training images/s at batch 1, 4, 8 and 16, all through `portraitseg bench`.
#   tests/bench/scaling.sh [PORTRAITSEG_BINARY] [RESULTS_DIR]
# Environment: THREADS (2), RUNS (inference timed runs, 10), STEPS (training timed steps, 3), ROUNDS (1), CONFIGS
# (names in configs/, default all but demo). With several rounds every measurement is taken once per round, the
# rounds one after the other, and the tables give each cell's median over the rounds, so that a drift of the
# machine's speed spreads over all cells instead of landing on a few. Freshly initialised nets: the cost does not
# depend on the weights. Sizes are rounded to what each net accepts (multiples of 32; 8k + 1 for DeepLabV3). A
# benchmark: run it on an idle machine.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-$root/build/tools/portraitseg}"
out="${2:-$root/runs/bench/scaling}"
threads="${THREADS:-2}"
runs="${RUNS:-10}"
steps="${STEPS:-3}"
rounds="${ROUNDS:-1}"
if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
  echo "scaling.sh: ROUNDS=$rounds: expected a whole number >= 1" >&2
  exit 2
fi
configs="${CONFIGS:-mobile_unet_deconv mobile_unet_bilinear prisma_net portrait_net portrait_net_video slim_net mobile_unet_v3 deeplab_v3}"
mkdir -p "$out"
"$bin" synth --out "$out/data" --count 64 --size 480x360 --seed 5 >/dev/null

# The accepted size nearest to native * scale: 8k + 1 for odd (DeepLabV3-style) sizes, else a multiple of 32.
scaled() {
  /usr/bin/python3 -c "
import sys; n, s = int(sys.argv[1]), float(sys.argv[2])
print(8 * max(1, round((n - 1) * s / 8)) + 1 if n % 2 else 32 * max(1, int(n * s / 32 + 0.5)))" "$1" "$2"
}

# `portraitseg bench ARGS` into FILE.json (its log in FILE.log); a failure leaves {"error": "<its last line>"} there,
# unless the command printed results (engines that could not run the model have an "error" row in them).
bench_into() {
  local file=$1
  shift
  if ! "$bin" bench "$@" --threads "$threads" --json --quiet > "$file.json" 2> "$file.log" &&
     ! /usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))["results"]' "$file.json" 2>/dev/null; then
    /usr/bin/python3 -c 'import json, sys
lines = open(sys.argv[1]).read().strip().splitlines() or ["failed"]
json.dump({"error": lines[-1]}, open(sys.argv[2], "w"))' "$file.log" "$file.json"
  fi
}

for round in $(seq 1 "$rounds"); do
  for name in $configs; do
    config="$root/configs/$name.json"
    native=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['model']['input_size'][0])" "$config")
    for scale in 0.5 1 2; do
      size=$(scaled "$native" "$scale")
      echo "scaling: round $round, $name inference at ${size}x${size}" >&2
      bench_into "$out/infer_${name}_${scale}_r$round" --config "$config" --size "${size}x${size}" --engine all \
        --runs "$runs" --warmup 2
    done
    for batch in 1 4 8 16; do
      echo "scaling: round $round, $name training at batch $batch" >&2
      bench_into "$out/train_${name}_${batch}_r$round" --train --config "$config" --data "$out/data" --batch "$batch" \
        --steps "$steps" --warmup 1
    done
  done
done

/usr/bin/python3 - "$out" "$configs" "$rounds" <<'PY'
import json, sys
out, configs, rounds = sys.argv[1], sys.argv[2].split(), int(sys.argv[3])
def load_one(path):
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return {"error": "no result"}
def load(stem, key):
    # One result per round merged into one: for each engine (or the training run) the round whose `key` is the
    # median over the rounds that produced it (the lower middle one for an even count), so that a cell's figures come
    # from one measurement; "rounds" says how many produced it. The first round's error stands when none did.
    found = [load_one(f"{stem}_r{r}.json") for r in range(1, rounds + 1)]
    ok = [j for j in found if "results" in j]
    if not ok:
        return found[0]
    merged = {"results": []}
    for first in ok[0]["results"]:
        rows = [r for j in ok for r in j["results"] if r.get("engine") == first.get("engine")]
        same = [r for r in rows if key in r]
        if not same:  # the engine's {"engine", "error"} row in every round
            merged["results"].append(rows[0])
            continue
        row = dict(sorted(same, key=lambda r: r[key])[(len(same) - 1) // 2])
        row["rounds"] = len(same)
        merged["results"].append(row)
    return merged
def short_of(row):
    return "" if row.get("rounds", rounds) == rounds else f", {row['rounds']} of {rounds} rounds"
print(f"Inference, median ms at batch 1, median of {rounds} round(s) (x: the cost relative to the native size on the same engine)\n")
print("| net | engine | ~0.5x | 1x | ~2x |")
print("|---|---|---|---|---|")
for name in configs:
    runs = {s: load(f"{out}/infer_{name}_{s}", "median_ms") for s in ("0.5", "1", "2")}
    engines = [r["engine"] for r in runs["1"].get("results", [])]
    for engine in engines:
        at = {s: next((r for r in runs[s].get("results", []) if r["engine"] == engine), {}) for s in runs}
        base = at["1"].get("median_ms")
        cells = []
        for s in ("0.5", "1", "2"):
            r = at[s]
            if "median_ms" not in r:
                cells.append("failed: " + (r.get("error") or runs[s].get("error", ""))[:60])
                continue
            ratio = f"{r['median_ms'] / base:.2f}x" if base else "no 1x"
            cells.append(f"{r['size'][0]}²: {r['median_ms']:.1f} ({ratio}{short_of(r)})")
        print(f"| {name} | {engine} | " + " | ".join(cells) + " |")
print(f"\nTraining images/s (data loading, the config's recipe and optimiser included), median step, median of {rounds} round(s)\n")
print("| config | size | batch 1 | batch 4 | batch 8 | batch 16 |")
print("|---|---|---|---|---|---|")
for name in configs:
    cells, size = [], ""
    for b in (1, 4, 8, 16):
        j = load(f"{out}/train_{name}_{b}", "images_per_s")
        if "results" not in j:
            cells.append("failed: " + j.get("error", "")[:80])
            continue
        r = j["results"][0]
        size = f"{r['size'][0]}²"
        cells.append(f"{r['images_per_s']:.1f} ({r['median_step_ms']:.0f} ms/step{short_of(r)})")
    print(f"| {name} | {size} | " + " | ".join(cells) + " |")
PY
