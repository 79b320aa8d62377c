#!/usr/bin/env bash
# Side-by-side speed comparison of portraitseg with Python PyTorch and onnxruntime, for every config in configs/
# (demo.json excluded), one benchmark at a time. Prints Markdown tables and keeps every JSON result.
#
#   tests/bench/side_by_side.sh [--bin PORTRAITSEG] [--out DIR] [--threads N] [--only "cfg1 cfg2"]
#                               [--train-only | --infer-only | --eager-only] [--quick] [--synth-count N] [--rounds N]
#
# Training (batch 8, native size): `portraitseg bench --train` on a synthetic dataset written by
# `portraitseg synth` at the net's native size (data loading included) against python_train_bench.py (random
# tensors, no data loading). PortraitNet is also run with the plain CE recipe ("portrait_net_plain").
# Inference (batch 1, native size): python_infer_bench.py (eager, frozen TorchScript), onnxruntime
# (onnx_bench.js) on the ONNX file `portraitseg export` writes, and `portraitseg bench --engine all`.
# Commands missing from the portraitseg build are reported and their columns left "n/a"; when
# `portraitseg export` is unavailable the ONNX file comes from torch.onnx.export of the Python net (and the table
# says so). Environment: PYTHON (default /usr/bin/python3, which has torch 1.13), NODE (default node),
# PORTRAITSEG (default build/tools/portraitseg). --quick shortens the Python and onnxruntime runs (smoke test only).
# --rounds N (default 1) measures everything N times, round after round, so that each portraitseg figure has a
# Python or onnxruntime figure taken minutes apart: the tables then give the median over the rounds and, for each
# ratio, the median of the rounds' ratios with their range (a shared machine swings between speeds from run to run).
# --eager-only times inference in Python eager and portraitseg's libtorch engine only, one right after the other (in
# alternating order from round to round), so that many short rounds give many close pairs for the eager ratio.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tests/bench"
PY="${PYTHON:-/usr/bin/python3}"
NODE="${NODE:-node}"
BIN="${PORTRAITSEG:-$ROOT/build/tools/portraitseg}"
OUT="$ROOT/runs/bench/side_by_side"
THREADS=2
ONLY=""
QUICK=0
DO_TRAIN=1
DO_INFER=1
SYNTH_COUNT=64
ROUNDS=1
EAGER_ONLY=0

usage() { sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin) BIN="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --train-only) DO_INFER=0; shift ;;
    --infer-only) DO_TRAIN=0; shift ;;
    --eager-only) DO_TRAIN=0; EAGER_ONLY=1; shift ;;
    --synth-count) SYNTH_COUNT="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "side_by_side.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

say() { echo "[side_by_side] $*" >&2; }

if ! [[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]]; then
  say "error: --rounds '$ROUNDS': expected a whole number >= 1"
  exit 2
fi

if ! "$PY" -c "import torch" 2>/dev/null; then
  say "error: $PY cannot import torch (set PYTHON to a Python with PyTorch)"
  exit 2
fi

# --- configs -----------------------------------------------------------------------------------------------------
CONFIGS=()
for f in "$ROOT"/configs/*.json; do
  name="$(basename "$f" .json)"
  [[ "$name" == demo ]] && continue
  if [[ -n "$ONLY" && " $ONLY " != *" $name "* ]]; then continue; fi
  CONFIGS+=("$name")
done
if [[ ${#CONFIGS[@]} -eq 0 ]]; then
  say "error: no config selected (--only \"$ONLY\")"
  exit 2
fi

# --- what the portraitseg build offers -----------------------------------------------------------------------------
CPP_TRAIN=0 CPP_INFER=0 CPP_EXPORT=0 CPP_SYNTH=0
BENCH_HELP=""
if [[ -x "$BIN" ]]; then
  BENCH_HELP="$("$BIN" bench --help 2>&1 || true)"
  grep -q -- '--train' <<<"$BENCH_HELP" && CPP_TRAIN=1
  grep -q -- '--engine' <<<"$BENCH_HELP" && CPP_INFER=1
  "$BIN" export --help 2>&1 | grep -q -- '--format' && CPP_EXPORT=1
  "$BIN" synth --help 2>&1 | grep -q -- '--out' && CPP_SYNTH=1
  say "portraitseg: $BIN"
else
  say "portraitseg binary not found at $BIN (set PORTRAITSEG or --bin): portraitseg columns will be n/a"
fi
MISSING_TRAIN="portraitseg bench --train is not in this build ($BIN)"
MISSING_INFER="portraitseg bench --engine is not in this build ($BIN)"
[[ -x "$BIN" ]] || { MISSING_TRAIN="no portraitseg binary at $BIN"; MISSING_INFER="$MISSING_TRAIN"; }
if [[ $DO_TRAIN == 1 && ( $CPP_TRAIN == 0 || $CPP_SYNTH == 0 ) ]]; then
  [[ $CPP_SYNTH == 0 && -x "$BIN" ]] && MISSING_TRAIN="portraitseg synth is not in this build ($BIN)"
  CPP_TRAIN=0
  say "NOTE: $MISSING_TRAIN: the portraitseg training column will be n/a"
fi
[[ $DO_INFER == 1 && $CPP_INFER == 0 ]] && say "NOTE: $MISSING_INFER: the portraitseg inference columns will be n/a"
[[ $DO_INFER == 1 && $CPP_EXPORT == 0 ]] && say "NOTE: portraitseg export unavailable: onnxruntime times the Python nets' torch.onnx.export files instead"

PY_TRAIN_ARGS=() PY_INFER_ARGS=() ORT_ARGS=() CPP_TRAIN_ARGS=()
if [[ $QUICK == 1 ]]; then
  PY_TRAIN_ARGS=(--steps 2 --warmup 1)
  PY_INFER_ARGS=(--runs 3 --warmup 1)
  ORT_ARGS=(--runs 3 --warmup 1)
  grep -q -- '--steps' <<<"$BENCH_HELP" && CPP_TRAIN_ARGS=(--steps 2)
  say "--quick: shortened runs, for a smoke test only (not figures)"
fi

CPP_ENGINES=all
if [[ $EAGER_ONLY == 1 ]]; then
  PY_INFER_ARGS+=(--engine eager)
  CPP_ENGINES=libtorch
fi

mkdir -p "$OUT"
rm -rf "$OUT/train" "$OUT/infer" "$OUT/onnx" "$OUT/onnx_python" "$OUT/logs"
mkdir -p "$OUT/train" "$OUT/infer" "$OUT/logs"

# run_json RESULT_BASE SIDE CMD...: stdout -> RESULT_BASE.SIDE.json (round 1) or RESULT_BASE.SIDE.rN.json (round N)
# when the command succeeds and prints JSON; otherwise RESULT_BASE.SIDE.why says what happened. stderr goes to logs/.
# portraitseg's exit 1 with JSON results is kept: `portraitseg bench` times the engines that could run the model and
# gives the others an "error" row (format_tables.py lists them under "Not measured").
ROUND=1
run_json() {
  local base="$1" side="$2"
  shift 2
  local suffix=""
  [[ $ROUND -gt 1 ]] && suffix=".r$ROUND"
  local json="$base.$side$suffix.json"
  local log="$OUT/logs/$(basename "$(dirname "$base")")_$(basename "$base").$side$suffix.log"
  say "$(basename "$(dirname "$base")") $(basename "$base") [$side]$([[ $ROUNDS -gt 1 ]] && echo " (round $ROUND of $ROUNDS)"): $*"
  "$@" >"$json.tmp" 2>"$log"
  local rc=$?
  local ok=$((rc == 0))
  [[ $rc -eq 1 && $side == portraitseg ]] && ok=1
  if [[ $ok == 1 ]] && "$PY" -c 'import json, sys; json.load(open(sys.argv[1]))["results"]' "$json.tmp" 2>/dev/null; then
    mv "$json.tmp" "$json"
    return 0
  fi
  rm -f "$json.tmp"
  local last
  last="$(grep -v '^\s*$' "$log" | tail -n 1 | cut -c1-200)"
  if [[ $rc -eq 0 ]]; then
    echo "no JSON results on stdout (log: $log)" >"$base.$side.why"
  elif [[ $rc -eq 77 ]]; then
    echo "skipped: ${last:-see $log}" >"$base.$side.why"
  else
    echo "failed with exit $rc: ${last:-see $log}" >"$base.$side.why"
  fi
  say "  -> $(cat "$base.$side.why")"
  return 1
}

native_size() {  # prints "H W" for a config
  "$PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import python_nets as n
h, w = n.spec_from_config(sys.argv[2])["size"]; print(h, w)' "$HERE" "$1"
}

synth_dir() {  # synthetic dataset at H x W, written once per size
  local h="$1" w="$2" dir="$OUT/data/synth_${h}x${w}_n${SYNTH_COUNT}"
  if [[ ! -f "$dir/train.txt" ]]; then
    say "writing $SYNTH_COUNT synthetic samples at ${w}x${h} to $dir"
    "$BIN" synth --out "$dir" --count "$SYNTH_COUNT" --size "${h}x${w}" --seed 0 --quiet >"$OUT/logs/synth_${h}x${w}.log" 2>&1 \
      || { say "portraitseg synth failed (see $OUT/logs/synth_${h}x${w}.log)"; return 1; }
  fi
  echo "$dir"
}

# --- training ------------------------------------------------------------------------------------------------------
TRAIN_CASES=()
train_round() {
  local name case cfg base data h w s
  for name in "${CONFIGS[@]}"; do
    local cases=("$name")
    [[ "$name" == portrait_net ]] && cases+=(portrait_net_plain)
    for case in "${cases[@]}"; do
      [[ $ROUND == 1 ]] && TRAIN_CASES+=("$case")
      cfg="$ROOT/configs/$name.json"
      local sets=()
      if [[ "$case" == portrait_net_plain ]]; then
        for s in "${PLAIN_SETS[@]}"; do sets+=(--set "$s"); done
      fi
      base="$OUT/train/$case"
      if [[ $CPP_TRAIN == 1 ]]; then
        read -r h w <<<"$(native_size "$cfg")"
        if data="$(synth_dir "$h" "$w")"; then
          run_json "$base" portraitseg "$BIN" bench --train --config "$cfg" "${sets[@]}" --data "$data" --json \
            --threads "$THREADS" "${CPP_TRAIN_ARGS[@]}"
        else
          echo "portraitseg synth failed (see $OUT/logs)" >"$base.portraitseg.why"
        fi
      else
        echo "$MISSING_TRAIN" >"$base.portraitseg.why"
      fi
      run_json "$base" python "$PY" "$HERE/python_train_bench.py" --config "$cfg" "${sets[@]}" --label "$case" \
        --json --threads "$THREADS" "${PY_TRAIN_ARGS[@]}"
    done
  done
}

# --- inference -----------------------------------------------------------------------------------------------------
INFER_CASES=()
declare -A ONNX_FILE=()  # per config, the file onnxruntime times: exported in round 1, timed again in later rounds
export_onnx() {  # export_onnx NAME CFG BASE: sets ONNX_FILE[NAME] (left unset when both exports fail)
  local name="$1" cfg="$2" base="$3"
  if [[ $CPP_EXPORT == 1 ]]; then
    mkdir -p "$OUT/onnx"
    say "infer $name: portraitseg export --format onnx"
    if "$BIN" export --config "$cfg" --format onnx --out "$OUT/onnx/$name.onnx" --threads "$THREADS" \
        >"$OUT/logs/export_$name.log" 2>&1; then
      ONNX_FILE[$name]="$OUT/onnx/$name.onnx"
      echo "portraitseg export --config configs/$name.json --format onnx (default head)" >"$base.onnx_source"
      return
    fi
    say "  -> portraitseg export failed (see $OUT/logs/export_$name.log); using the Python net's ONNX"
  fi
  mkdir -p "$OUT/onnx_python"
  if "$PY" "$HERE/python_infer_bench.py" --config "$cfg" --onnx-out "$OUT/onnx_python" \
      >"$OUT/logs/export_python_$name.log" 2>&1; then
    ONNX_FILE[$name]="$OUT/onnx_python/$name.onnx"
    echo "torch.onnx.export of the Python net (logits; NOT the portraitseg exporter's file)" >"$base.onnx_source"
  else
    echo "no ONNX file: both exports failed (see $OUT/logs)" >"$base.onnxruntime.why"
  fi
}
infer_portraitseg() {  # infer_portraitseg CFG BASE
  if [[ $CPP_INFER == 1 ]]; then
    run_json "$2" portraitseg "$BIN" bench --config "$1" --engine "$CPP_ENGINES" --json --threads "$THREADS"
  else
    echo "$MISSING_INFER" >"$2.portraitseg.why"
  fi
}
infer_round() {
  local name cfg base
  # In --eager-only pairs, even rounds time portraitseg first, so that a machine drifting between its speeds in one
  # direction does not always favour the same side.
  local portraitseg_first=0
  [[ $EAGER_ONLY == 1 && $((ROUND % 2)) == 0 ]] && portraitseg_first=1
  for name in "${CONFIGS[@]}"; do
    [[ $ROUND == 1 ]] && INFER_CASES+=("$name")
    cfg="$ROOT/configs/$name.json"
    base="$OUT/infer/$name"
    if [[ $portraitseg_first == 1 ]]; then infer_portraitseg "$cfg" "$base"; fi
    run_json "$base" python "$PY" "$HERE/python_infer_bench.py" --config "$cfg" --json --threads "$THREADS" \
      "${PY_INFER_ARGS[@]}"
    if [[ $EAGER_ONLY == 1 ]]; then
      echo "not timed (--eager-only)" >"$base.onnxruntime.why"
    elif [[ $ROUND == 1 ]]; then
      export_onnx "$name" "$cfg" "$base"
    fi
    if [[ -n "${ONNX_FILE[$name]:-}" ]]; then
      run_json "$base" onnxruntime "$NODE" "$HERE/onnx_bench.js" "${ONNX_FILE[$name]}" --json --threads "$THREADS" \
        "${ORT_ARGS[@]}"
    fi
    if [[ $portraitseg_first == 0 ]]; then infer_portraitseg "$cfg" "$base"; fi
  done
}

PLAIN_SETS=()
if [[ $DO_TRAIN == 1 ]]; then
  read -r -a PLAIN_SETS <<<"$("$PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import python_train_bench as t
print(" ".join(t.PORTRAIT_PLAIN_OVERRIDES))' "$HERE")"
fi
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
  [[ $DO_TRAIN == 1 ]] && train_round
  [[ $DO_INFER == 1 ]] && infer_round
done

# --- report --------------------------------------------------------------------------------------------------------
join() { local IFS=,; echo "$*"; }
{
  echo "# portraitseg side by side ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "Machine: $(nproc) cores, load average at the end $(cut -d' ' -f1-3 /proc/loadavg); threads $THREADS;" \
    "rounds $ROUNDS;" \
    "torch $("$PY" -c 'import torch; print(torch.__version__)'); portraitseg $BIN$([[ $QUICK == 1 ]] && echo '; QUICK smoke run, not figures')."
  echo
  "$PY" "$HERE/format_tables.py" "$OUT" --train-cases "$(join "${TRAIN_CASES[@]}")" \
    --infer-cases "$(join "${INFER_CASES[@]}")"
} | tee "$OUT/side_by_side.md"
say "results: $OUT (side_by_side.md, train/, infer/, logs/)"
