#!/usr/bin/python3
"""Markdown tables from the JSON files side_by_side.sh collects in one results folder.

Layout read (CASE = a config name, or portrait_net_plain):
    train/CASE.python.json  train/CASE.portraitseg.json
    infer/CASE.python.json  infer/CASE.onnxruntime.json  infer/CASE.portraitseg.json  infer/CASE.onnx_source
and, from `side_by_side.sh --rounds N`, the same files of rounds 2..N as CASE.SIDE.rK.json. With several rounds a
cell is the median of the rounds' figures, and a ratio the median of the rounds' ratios (each round's portraitseg
figure over the same round's Python or onnxruntime figure), followed by their range.
A missing or unreadable file leaves its cells as "n/a"; a CASE.SIDE.why file next to it says why.

    format_tables.py RESULTS_DIR --train-cases a,b,... --infer-cases a,b,...
"""
import argparse
import glob
import json
import os
import re
import statistics
import sys

PORTRAITSEG_ENGINES = ("libtorch", "torchscript", "opencv", "onnx-torch", "onednn")


def read_results(path):
    try:
        with open(path) as f:
            return json.load(f)["results"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_rounds(path_base):
    """The results of every round of one side, in round order: PATH.json, then PATH.r2.json, PATH.r3.json, ..."""
    def round_of(path):
        m = re.search(r"\.r(\d+)\.json$", path)
        return int(m.group(1)) if m else 1
    later = sorted(glob.glob(glob.escape(path_base) + ".r*.json"), key=round_of)
    rounds = [read_results(path_base + ".json")] + [read_results(p) for p in later]
    return rounds if any(r is not None for r in rounds) else []


def median_of(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def round_ratio(numerators, denominators, digits=2):
    """One round: the ratio itself; several: the median of the rounds' ratios and their range."""
    ratios = [a / b for a, b in zip(numerators, denominators) if a is not None and b]
    if not ratios:
        return "n/a"
    text = f"{statistics.median(ratios):.{digits}f}"
    rounds = max(len(numerators), len(denominators))
    if rounds > 1:
        spread = f"{min(ratios):.{digits}f}–{max(ratios):.{digits}f}"
        text += f" ({spread} over {rounds} rounds)" if len(ratios) == rounds else \
            f" ({spread}; {len(ratios)} of {rounds} rounds measured on both sides)"
    return text


def why(path_base):
    try:
        with open(path_base + ".why") as f:
            return f.read().strip()
    except OSError:
        return None


def fmt(value, digits=1):
    return "n/a" if value is None else f"{value:.{digits}f}"


def first(results, **match):
    for r in results or []:
        if all(r.get(k) == v for k, v in match.items()):
            return r
    return None


def train_table(root, cases, notes):
    lines = ["| config | recipe | size | python eager img/s | portraitseg img/s (data loading included) | "
             "ratio portraitseg / python |",
             "|---|---|---|---|---|---|"]
    detail = ["| config | round | python eager img/s | portraitseg img/s | ratio |", "|---|---|---|---|---|"]
    for case in cases:
        base = os.path.join(root, "train", case)
        py_rounds = [first(r, mode="train") for r in read_rounds(base + ".python")]
        cpp_rounds = [first(r, mode="train") for r in read_rounds(base + ".portraitseg")]
        for side, got in (("python", py_rounds), ("portraitseg", cpp_rounds)):
            reason = why(f"{base}.{side}")
            if not any(got) and reason:
                notes.append(f"train {case} {side}: {reason}")
        py = next((r for r in py_rounds if r), None)
        size = (py or next((r for r in cpp_rounds if r), None) or {}).get("size")
        py_ips = [r and r.get("images_per_s") for r in py_rounds]
        cpp_ips = [r and r.get("images_per_s") for r in cpp_rounds]
        lines.append(f"| {case} | {(py or {}).get('recipe', 'n/a')} | {'x'.join(map(str, size)) if size else 'n/a'} | "
                     f"{fmt(median_of(py_ips))} | {fmt(median_of(cpp_ips))} | {round_ratio(cpp_ips, py_ips)} |")
        for i in range(max(len(py_ips), len(cpp_ips))):
            at = lambda values: values[i] if i < len(values) else None  # noqa: E731
            detail.append(f"| {case} | {i + 1} | {fmt(at(py_ips))} | {fmt(at(cpp_ips))} | "
                          f"{round_ratio([at(cpp_ips)], [at(py_ips)])} |")
    return lines, detail


def infer_tables(root, cases, notes):
    head = ["| config | size | python eager | python TS frozen | onnxruntime | portraitseg libtorch | "
            "portraitseg torchscript | portraitseg opencv | portraitseg onnx-torch | portraitseg onednn | "
            "fastest portraitseg / onnxruntime | portraitseg eager / python eager |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    detail = ["| config | round | engine | size | batch | threads | median ms | p90 ms | p99 ms | fps |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    onnx_sources = []
    for case in cases:
        base = os.path.join(root, "infer", case)
        py = read_rounds(base + ".python")
        ort = read_rounds(base + ".onnxruntime")
        cpp = read_rounds(base + ".portraitseg")
        for side, got in (("python", py), ("onnxruntime", ort), ("portraitseg", cpp)):
            reason = why(f"{base}.{side}")
            if not any(got) and reason:
                notes.append(f"inference {case} {side}: {reason}")
        # An engine that failed in every round it ran (a failure in one round of several shows as fewer rounds).
        rows = [r for results in cpp for r in results or []]
        measured = {r["engine"] for r in rows if "median_ms" in r}
        failed = {r["engine"]: r["error"] for r in rows if r.get("error") and r["engine"] not in measured}
        notes += [f"inference {case} portraitseg {engine}: {error}" for engine, error in failed.items()]
        try:
            with open(base + ".onnx_source") as f:
                onnx_sources.append(f"{case}: {f.read().strip()}")
        except OSError:
            pass

        def per_round(rounds, engine):
            """The engine's median ms in each round (None where that round has none)."""
            return [(first(results, engine=engine) or {}).get("median_ms") for results in rounds]

        rounds = max(len(py), len(ort), len(cpp))
        pad = lambda values: values + [None] * (rounds - len(values))  # noqa: E731
        py_eager, py_ts = pad(per_round(py, "python-eager")), pad(per_round(py, "python-torchscript"))
        ort_ms = pad(per_round(ort, "onnxruntime"))
        cpp_ms = {e: pad(per_round(cpp, e)) for e in PORTRAITSEG_ENGINES}
        fastest = [min((cpp_ms[e][i] for e in PORTRAITSEG_ENGINES if cpp_ms[e][i] is not None), default=None)
                   for i in range(rounds)]
        everything = [r for results in py + ort + cpp for r in results or []]
        size = next((r.get("size") for r in everything if r.get("size")), None)
        head.append(f"| {case} | {'x'.join(map(str, size)) if size else 'n/a'} | {fmt(median_of(py_eager), 2)} | "
                    f"{fmt(median_of(py_ts), 2)} | {fmt(median_of(ort_ms), 2)} | "
                    + " | ".join(fmt(median_of(cpp_ms[e]), 2) for e in PORTRAITSEG_ENGINES)
                    + f" | {round_ratio(fastest, ort_ms)} | {round_ratio(cpp_ms['libtorch'], py_eager)} |")
        for i in range(rounds):
            for side, prefix in ((py, ""), (ort, ""), (cpp, "portraitseg ")):
                for r in (side[i] if i < len(side) else None) or []:
                    if r.get("error"):
                        detail.append(f"| {case} | {i + 1} | {prefix}{r.get('engine')} | failed: {r['error']} |"
                                      " | | | | | |")
                        continue
                    detail.append(f"| {case} | {i + 1} | {prefix}{r.get('engine')} | "
                                  f"{'x'.join(map(str, r.get('size', [])))} | {r.get('batch', 'n/a')} | "
                                  f"{r.get('threads', 'n/a')} | {fmt(r.get('median_ms'), 2)} | "
                                  f"{fmt(r.get('p90_ms'), 2)} | {fmt(r.get('p99_ms'), 2)} | {fmt(r.get('fps'), 1)} |")
    return head, detail, onnx_sources


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("root")
    ap.add_argument("--train-cases", default="")
    ap.add_argument("--infer-cases", default="")
    args = ap.parse_args()
    train_cases = [c for c in args.train_cases.split(",") if c]
    infer_cases = [c for c in args.infer_cases.split(",") if c]

    notes = []
    out = []
    if train_cases:
        out += ["## Training throughput (batch 8, native size)", "",
                "python eager: fwd + bwd + Adam on random tensors, no data loading. portraitseg: "
                "`portraitseg bench --train`, data loading included.", ""]
        lines, detail = train_table(args.root, train_cases, notes)
        out += lines + [""] + ["### All training results", ""] + detail + [""]
    if infer_cases:
        head, detail, onnx_sources = infer_tables(args.root, infer_cases, notes)
        out += ["## Inference latency (batch 1, native size), median ms", ""] + head + [""]
        if onnx_sources:
            out += ["ONNX file timed in onnxruntime:", ""] + [f"- {s}" for s in onnx_sources] + [""]
        out += ["### All inference results", ""] + detail + [""]
    if notes:
        out += ["## Not measured", ""] + [f"- {n}" for n in notes] + [""]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
