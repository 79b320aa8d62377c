#!/usr/bin/env bash
# What `test` adds to inference (docs/performance.md, "`test` on a 1-megapixel photo"): each config's net exported
# to ONNX (fresh weights, in the engine `test` picks for it: onednn) on 1-megapixel JPEGs (1152 wide, 896 high,
# synthetic portraits):
#  - the net alone: `portraitseg bench` median (30 runs) once per round, between the variants, so that it sees the
#    machine's speed as they do (the tables' "net alone" column is the median over the rounds);
#  - one photo per call: per-stage medians over RUNS calls (the stages run one after another);
#  - 20 photos in one call: median over RUNS calls of the wall time per photo (photos overlap on test's threads),
#    with test's default inference workers (2 on 2 threads) and with --workers 1.
# Overhead = (time per photo - net alone) / net alone, for the mask (the photo decoded as `test` decodes it, and with
# --full-decode) and the cut-out (as compact PNGs and with --compression fast): the median of the rounds' own
# overheads, each against the net alone of its round (this machine can change speed from one minute to the next),
# with their range. One table per config, then a summary of the 20-photo rows of every config.
#   tests/bench/pipeline.sh [PORTRAITSEG_BINARY] [RESULTS_DIR]
# Environment: THREADS (2), RUNS (5), CONFIGS (config names under configs/, default "portrait_net"; "all" for every
# config but demo). A benchmark: run it on an idle machine.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-$root/build/tools/portraitseg}"
out="${2:-$root/runs/bench/pipeline}"
threads="${THREADS:-2}"
runs="${RUNS:-5}"
read -ra configs <<< "${CONFIGS:-portrait_net}"
if [ "${configs[*]}" = all ]; then
  configs=()
  for f in "$root"/configs/*.json; do
    name="$(basename "$f" .json)"
    [ "$name" = demo ] || configs+=("$name")
  done
fi
[ "${#configs[@]}" -gt 0 ] || { echo "pipeline.sh: CONFIGS: no config named" >&2; exit 2; }
for cfg in "${configs[@]}"; do
  [ -f "$root/configs/$cfg.json" ] || { echo "pipeline.sh: CONFIGS: no configs/$cfg.json" >&2; exit 2; }
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "pipeline.sh: RUNS=$runs: expected a positive whole number" >&2; exit 2; }
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || { echo "pipeline.sh: THREADS=$threads: expected a positive whole number" >&2; exit 2; }
rm -rf "$out" && mkdir -p "$out"
"$bin" synth --out "$out/photos" --count 20 --size 896x1152 --test-fraction 0 --quiet > /dev/null || exit 1
one="$(ls "$out"/photos/images/* | head -1)"
# Each variant: the effect, then test's options ("full" adds --full-decode: the JPEG decoded at full size; "1w" one
# inference worker, the same as the default for one photo, so it has no one-photo row; "fast" adds
# --compression fast). The variants take turns in each round, so that a drift in the machine's speed spreads over
# all of them.
variants="mask mask_1w mask_full cutout cutout_1w cutout_fast"
for cfg in "${configs[@]}"; do
  dir="$out/$cfg"
  mkdir -p "$dir"
  "$bin" export --config "$root/configs/$cfg.json" --format onnx --out "$dir/net.onnx" --no-verify --quiet \
    > /dev/null || exit 1
  engine="$("$bin" test --model "$dir/net.onnx" "$one" --effect mask --out "$dir/probe" --threads "$threads" --json \
    --quiet | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["engine"])')" || exit 1
  echo "$engine" > "$dir/engine"
  for round in $(seq "$runs"); do
    "$bin" bench --model "$dir/net.onnx" --engine "$engine" --threads "$threads" --runs 30 --json --quiet \
      >> "$dir/net.jsonl" || exit 1
    for variant in $variants; do
      effect="${variant%_*}"
      flags="--effect $effect"
      [ "$variant" = mask_full ] && flags="$flags --full-decode"
      [ "$variant" = cutout_fast ] && flags="$flags --compression fast"
      [ "$variant" = "${effect}_1w" ] && flags="$flags --workers 1"
      if [ "$variant" != "${effect}_1w" ]; then
        "$bin" test --model "$dir/net.onnx" "$one" $flags --out "$dir/one" --threads "$threads" --json --quiet \
          >> "$dir/one_$variant.jsonl" || exit 1
      fi
      "$bin" test --model "$dir/net.onnx" "$out/photos/images" $flags --out "$dir/dir" --threads "$threads" \
        --json --quiet >> "$dir/dir_$variant.jsonl" || exit 1
    done
  done
done
/usr/bin/python3 - "$out" "$threads" "${configs[@]}" <<'PY'
import json, statistics, sys, datetime
out, threads, configs = sys.argv[1], sys.argv[2], sys.argv[3:]
stages = ["decode", "preprocess", "inference", "postprocess", "effects", "write"]
names = {"mask": "mask", "mask_1w": "mask, --workers 1", "mask_full": "mask, --full-decode", "cutout": "cutout",
         "cutout_1w": "cutout, --workers 1", "cutout_fast": "cutout, --compression fast"}
summary = []

def overhead(per_round, nets):
    """Median and range of the rounds' overheads, in per cent, each round against its own net alone."""
    ratios = sorted(100 * (t - n) / n for t, n in zip(per_round, nets))
    return statistics.median(ratios), ratios[0], ratios[-1]

def cell(o):
    return "%+.0f %% (%+.0f to %+.0f)" % o if o[1] != o[2] else "%+.0f %%" % o[0]

for cfg in configs:
    d = "%s/%s" % (out, cfg)
    engine = open(d + "/engine").read().strip()
    bench = [json.loads(l)["results"][0] for l in open(d + "/net.jsonl")]
    nets = [b["median_ms"] for b in bench]
    net = statistics.median(nets)
    size = "%dx%d" % tuple(bench[0]["size"])
    print("%s (%s in %s), date %s, %s threads, 1152x896 JPEG; net alone (bench) %.1f ms (median of %d rounds, %.1f-%.1f)"
          % (cfg, size, engine, datetime.date.today(), threads, net, len(nets), min(nets), max(nets)))
    print()
    print("| effect | run | " + " | ".join(stages) + " | per photo | overhead over the net alone |")
    print("|---|---|" + "---:|" * (len(stages) + 2))
    row = {"config": cfg, "size": size, "net": net}
    for variant in ["mask", "mask_1w", "mask_full", "cutout", "cutout_1w", "cutout_fast"]:
        if not variant.endswith("_1w"):
            one = [json.loads(l)["images"][0]["timing_ms"] for l in open("%s/one_%s.jsonl" % (d, variant))]
            med = {s: statistics.median(t[s] for t in one) for s in stages}
            totals = [sum(t[s] for s in stages) for t in one]
            print("| %s | 1 photo per call | %s | %.1f | %s |" % (
                names[variant], " | ".join("%.1f" % med[s] for s in stages), statistics.median(totals),
                cell(overhead(totals, nets))))
        runs = [json.loads(l) for l in open("%s/dir_%s.jsonl" % (d, variant))]
        images = [i["timing_ms"] for r in runs for i in r["images"][2:]]
        med = {s: statistics.median(t[s] for t in images) for s in stages}
        per_photo = [1000 * r["seconds"] / len(r["images"]) for r in runs]
        row[variant] = (statistics.median(per_photo), overhead(per_photo, nets))
        print("| %s | 20 photos in one call, %d worker(s) | %s | %.1f | %s |" % (
            names[variant], runs[0]["workers"], " | ".join("%.1f" % med[s] for s in stages), row[variant][0],
            cell(row[variant][1])))
    print()
    summary.append(row)
if len(summary) > 1:
    print("20 photos in one call, test's default workers: ms per photo (the median over the rounds) and the median of "
          "the rounds' own overheads with their range, each round against its own net alone, so an overhead need not "
          "follow from the two medians (targets: mask +25 %, cut-out +60 %)")
    print()
    print("| config | size | net alone ms | mask | cut-out | cut-out, --compression fast |")
    print("|---|---|---:|---:|---:|---:|")
    for r in summary:
        print("| %s | %s | %.1f | %s |" % (r["config"], r["size"], r["net"], " | ".join(
            "%.1f, %s" % (r[v][0], cell(r[v][1])) for v in ["mask", "cutout", "cutout_fast"])))
PY
