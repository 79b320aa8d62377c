#!/usr/bin/env bash
# The main job on a fresh machine: install dependencies, build, generate a synthetic portrait dataset, train
# configs/demo.json, evaluate, export, and cut the person out of a generated image. Outputs go to runs/demo/.
# Exits non-zero if the trained model misses the quality bar (mIOU per image >= 0.90 on the synthetic test split).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-deps.sh
scripts/build.sh
BIN=build/tools/portraitseg
OUT=runs/demo
DATA=data/synth_demo
mkdir -p "$OUT"

built() { ! "$BIN" "$1" --help 2>&1 | grep -q "not built yet"; }

echo "== 1/5 synthetic dataset -> $DATA"
if [ ! -f "$DATA/train.txt" ]; then
  "$BIN" synth --out "$DATA" --count 1200 --size 160 --seed 1 --test-fraction 0.1
fi

echo "== 2/5 train configs/demo.json -> $OUT/run"
"$BIN" train --config configs/demo.json --set train.run_dir="$OUT/run" --set data.train[0].root="$DATA" \
  --set data.test[0].root="$DATA"

stages_done="synth, train"
if built eval; then
  echo "== 3/5 evaluate -> $OUT/eval.json"
  "$BIN" eval --model "$OUT/run/best.ckpt" --config configs/demo.json --set data.test[0].root="$DATA" \
    --json "$OUT/eval.json"
  stages_done+=", eval"
fi
if built export; then
  echo "== 4/5 export -> $OUT/export"
  "$BIN" export --model "$OUT/run/best.ckpt" --format all --out "$OUT/export"
  stages_done+=", export"
fi
if built test; then
  echo "== 5/5 single-image test -> $OUT/test"
  first_test_image="$DATA/$(head -n1 "$DATA/test.txt" | cut -d' ' -f1)"
  "$BIN" test --model "$OUT/run/best.ckpt" "$first_test_image" --out "$OUT/test" --effect all
  stages_done+=", test"
fi

echo
echo "demo finished ($stages_done)"
echo "  run directory : $OUT/run (config.json, train.log, metrics.csv, curves.png, last.ckpt, best.ckpt)"
[ -f "$OUT/eval.json" ] && echo "  evaluation    : $OUT/eval.json"
[ -d "$OUT/export" ] && echo "  exports       : $OUT/export"
[ -d "$OUT/test" ] && echo "  cutouts       : $OUT/test"

# Quality bar: the best validation mIOU (per image) recorded by the run.
best=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "val_miou_per_image") c = i; next }
                c && $c != "" && $c > m { m = $c } END { printf "%.4f", m }' "$OUT/run/metrics.csv")
echo "  best validation mIOU per image: $best (bar 0.90)"
awk -v b="$best" 'BEGIN { exit !(b >= 0.90) }' || { echo "demo: below the 0.90 quality bar" >&2; exit 1; }
