#!/usr/bin/env bash
# What `test` adds to inference (docs/performance.md, "`test` on a 1-megapixel photo"): an exported ONNX PortraitNet
# (fresh weights, in the engine `test` picks for it: onednn) on 1-megapixel JPEGs (1152 wide, 896 high, synthetic portraits):
#  - the net alone: `portraitseg bench` median (30 runs) once per round, between the variants, so that it sees the
#    machine's speed as they do; the reference is the median over the rounds;
#  - one photo per call: per-stage medians over RUNS calls (the stages run one after another);
#  - 20 photos in one call: median over RUNS calls of the wall time per photo (photos overlap on test's threads),
#    with test's default inference workers (2 on 2 threads) and with --workers 1.
# Overhead = (time per photo - net alone) / net alone, for the mask (the photo decoded as `test` decodes it, and with
# --full-decode) and the cut-out (as compact PNGs and with --compression fast).
#   tests/bench/pipeline.sh [PORTRAITSEG_BINARY] [RESULTS_DIR]
# Environment: THREADS (2), RUNS (5). A benchmark: run it on an idle machine.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-$root/build/tools/portraitseg}"
out="${2:-$root/runs/bench/pipeline}"
threads="${THREADS:-2}"
runs="${RUNS:-5}"
rm -rf "$out" && mkdir -p "$out"
"$bin" export --config "$root/configs/portrait_net.json" --format onnx --out "$out/portrait_net.onnx" --no-verify \
  --quiet > /dev/null || exit 1
"$bin" synth --out "$out/photos" --count 20 --size 896x1152 --test-fraction 0 --quiet > /dev/null || exit 1
one="$(ls "$out"/photos/images/* | head -1)"
engine="$("$bin" test --model "$out/portrait_net.onnx" "$one" --effect mask --out "$out/probe" --threads "$threads" --json --quiet |
  /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["engine"])')" || exit 1
# Each variant: the effect, then test's options ("full" adds --full-decode: the JPEG decoded at full size; "1w" one
# inference worker, the same as the default for one photo, so it has no one-photo row; "fast" adds
# --compression fast). The variants take turns in each round, so that a drift in the machine's speed spreads over
# all of them.
variants="mask mask_1w mask_full cutout cutout_1w cutout_fast"
for variant in $variants; do rm -f "$out/one_$variant.jsonl" "$out/dir_$variant.jsonl"; done
for round in $(seq "$runs"); do
  "$bin" bench --model "$out/portrait_net.onnx" --engine "$engine" --threads "$threads" --runs 30 --json --quiet \
    >> "$out/net.jsonl" || exit 1
  for variant in $variants; do
    effect="${variant%_*}"
    flags="--effect $effect"
    [ "$variant" = mask_full ] && flags="$flags --full-decode"
    [ "$variant" = cutout_fast ] && flags="$flags --compression fast"
    [ "$variant" = "${effect}_1w" ] && flags="$flags --workers 1"
    if [ "$variant" != "${effect}_1w" ]; then
      "$bin" test --model "$out/portrait_net.onnx" "$one" $flags --out "$out/one" --threads "$threads" --json --quiet \
        >> "$out/one_$variant.jsonl" || exit 1
    fi
    "$bin" test --model "$out/portrait_net.onnx" "$out/photos/images" $flags --out "$out/dir" --threads "$threads" \
      --json --quiet >> "$out/dir_$variant.jsonl" || exit 1
  done
done
/usr/bin/python3 - "$out" "$threads" "$engine" <<'PY'
import json, statistics, sys, datetime
out, threads, engine = sys.argv[1], sys.argv[2], sys.argv[3]
nets = [json.loads(l)["results"][0]["median_ms"] for l in open(out + "/net.jsonl")]
net = statistics.median(nets)
stages = ["decode", "preprocess", "inference", "postprocess", "effects", "write"]
print("date %s, %s threads, PortraitNet 224 in %s, 1152x896 JPEG; net alone (bench) %.1f ms (median of %d rounds, %.1f-%.1f)"
      % (datetime.date.today(), threads, engine, net, len(nets), min(nets), max(nets)))
print("| effect | run | " + " | ".join(stages) + " | per photo | overhead over the net alone |")
print("|---|---|" + "---:|" * (len(stages) + 2))
names = {"mask": "mask", "mask_1w": "mask, --workers 1", "mask_full": "mask, --full-decode", "cutout": "cutout",
         "cutout_1w": "cutout, --workers 1", "cutout_fast": "cutout, --compression fast"}
for variant in ["mask", "mask_1w", "mask_full", "cutout", "cutout_1w", "cutout_fast"]:
    if not variant.endswith("_1w"):
        one = [json.loads(l)["images"][0]["timing_ms"] for l in open("%s/one_%s.jsonl" % (out, variant))]
        med = {s: statistics.median(t[s] for t in one) for s in stages}
        total = sum(med.values())
        print("| %s | 1 photo per call | %s | %.1f | %+.0f %% |" % (
            names[variant], " | ".join("%.1f" % med[s] for s in stages), total, 100 * (total - net) / net))
    runs = [json.loads(l) for l in open("%s/dir_%s.jsonl" % (out, variant))]
    images = [i["timing_ms"] for r in runs for i in r["images"][2:]]
    med = {s: statistics.median(t[s] for t in images) for s in stages}
    per_photo = statistics.median(1000 * r["seconds"] / len(r["images"]) for r in runs)
    print("| %s | 20 photos in one call, %d worker(s) | %s | %.1f | %+.0f %% |" % (
        names[variant], runs[0]["workers"], " | ".join("%.1f" % med[s] for s in stages), per_photo,
        100 * (per_photo - net) / net))
PY
