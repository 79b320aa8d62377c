#!/usr/bin/python3
"""Markdown tables from the JSON files side_by_side.sh collects in one results folder.

Layout read (CASE = a config name, or portrait_net_plain):
    train/CASE.python.json  train/CASE.portraitseg.json
    infer/CASE.python.json  infer/CASE.onnxruntime.json  infer/CASE.portraitseg.json  infer/CASE.onnx_source
A missing or unreadable file leaves its cells as "n/a"; a CASE.SIDE.why file next to it says why.

    format_tables.py RESULTS_DIR --train-cases a,b,... --infer-cases a,b,...
"""
import argparse
import json
import os
import sys

PORTRAITSEG_ENGINES = ("libtorch", "torchscript", "opencv", "onnx-torch", "onednn")


def read_results(path):
    try:
        with open(path) as f:
            return json.load(f)["results"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def why(path_base):
    try:
        with open(path_base + ".why") as f:
            return f.read().strip()
    except OSError:
        return None


def fmt(value, digits=1):
    return "n/a" if value is None else f"{value:.{digits}f}"


def ratio(a, b, digits=2):
    return "n/a" if a is None or b is None or b == 0 else f"{a / b:.{digits}f}"


def first(results, **match):
    for r in results or []:
        if all(r.get(k) == v for k, v in match.items()):
            return r
    return None


def train_table(root, cases, notes):
    lines = ["| config | recipe | size | python eager img/s | portraitseg img/s (data loading included) | "
             "ratio portraitseg / python |",
             "|---|---|---|---|---|---|"]
    for case in cases:
        base = os.path.join(root, "train", case)
        py = first(read_results(base + ".python.json"), mode="train")
        cpp = first(read_results(base + ".portraitseg.json"), mode="train")
        for side, got in (("python", py), ("portraitseg", cpp)):
            reason = why(f"{base}.{side}")
            if got is None and reason:
                notes.append(f"train {case} {side}: {reason}")
        size = (py or cpp or {}).get("size")
        py_ips = py and py.get("images_per_s")
        cpp_ips = cpp and cpp.get("images_per_s")
        lines.append(f"| {case} | {(py or {}).get('recipe', 'n/a')} | {'x'.join(map(str, size)) if size else 'n/a'} | "
                     f"{fmt(py_ips)} | {fmt(cpp_ips)} | {ratio(cpp_ips, py_ips)} |")
    return lines


def infer_tables(root, cases, notes):
    head = ["| config | size | python eager | python TS frozen | onnxruntime | portraitseg libtorch | "
            "portraitseg torchscript | portraitseg opencv | portraitseg onnx-torch | portraitseg onednn | "
            "fastest portraitseg / onnxruntime | portraitseg eager / python eager |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    detail = ["| config | engine | size | batch | threads | median ms | p90 ms | p99 ms | fps |",
              "|---|---|---|---|---|---|---|---|---|"]
    onnx_sources = []
    for case in cases:
        base = os.path.join(root, "infer", case)
        py = read_results(base + ".python.json")
        ort = read_results(base + ".onnxruntime.json")
        cpp = read_results(base + ".portraitseg.json")
        for side, got in (("python", py), ("onnxruntime", ort), ("portraitseg", cpp)):
            reason = why(f"{base}.{side}")
            if got is None and reason:
                notes.append(f"inference {case} {side}: {reason}")
        try:
            with open(base + ".onnx_source") as f:
                onnx_sources.append(f"{case}: {f.read().strip()}")
        except OSError:
            pass

        def median(results, engine):
            r = first(results, engine=engine)
            return r and r.get("median_ms")

        py_eager, py_ts = median(py, "python-eager"), median(py, "python-torchscript")
        ort_ms = median(ort, "onnxruntime")
        cpp_ms = {e: median(cpp, e) for e in PORTRAITSEG_ENGINES}
        measured = [v for v in cpp_ms.values() if v is not None]
        fastest = min(measured) if measured else None
        size = next((r.get("size") for r in (py or []) + (ort or []) + (cpp or []) if r.get("size")), None)
        head.append(f"| {case} | {'x'.join(map(str, size)) if size else 'n/a'} | {fmt(py_eager, 2)} | "
                    f"{fmt(py_ts, 2)} | {fmt(ort_ms, 2)} | "
                    + " | ".join(fmt(cpp_ms[e], 2) for e in PORTRAITSEG_ENGINES)
                    + f" | {ratio(fastest, ort_ms)} | {ratio(cpp_ms['libtorch'], py_eager)} |")
        for results, prefix in ((py, ""), (ort, ""), (cpp, "portraitseg ")):
            for r in results or []:
                detail.append(f"| {case} | {prefix}{r.get('engine')} | {'x'.join(map(str, r.get('size', [])))} | "
                              f"{r.get('batch', 'n/a')} | {r.get('threads', 'n/a')} | {fmt(r.get('median_ms'), 2)} | "
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
        out += train_table(args.root, train_cases, notes) + [""]
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
