#!/usr/bin/python3
"""Inference latency of the Python PyTorch nets: eager and frozen TorchScript, batch 1.

For each config (default: every configs/*.json except demo.json) the inference net (boundary head dropped, as an
export does) is built at the config's input size in eval mode with fresh weights, and timed on one random input:

* python-eager: `model(x)` under `torch.no_grad()`;
* python-torchscript: `torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.trace(model, x)))`.

Median, p90 and p99 over --runs calls after --warmup untimed calls. `--onnx-out DIR` instead writes each net as
DIR/<config>.onnx with torch.onnx.export (input "input", output "output": logits), for onnx_bench.js when no
portraitseg export is at hand.

    /usr/bin/python3 tests/bench/python_infer_bench.py [--config FILE ...] [--runs N] [--warmup N] [--json]
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import python_nets  # noqa: E402
import timing  # noqa: E402


def make_model(spec, seed):
    torch.manual_seed(seed)
    variant = python_nets.inference_variant(spec["variant"])
    model = python_nets.build(variant).eval()
    h, w = spec["size"]
    x = torch.rand(1, python_nets.input_channels(variant), h, w, generator=torch.Generator().manual_seed(seed))
    return variant, model, x


def torchscript_frozen(model, x):
    with torch.no_grad():
        traced = torch.jit.trace(model, x)
    return torch.jit.optimize_for_inference(torch.jit.freeze(traced))


def result(engine, spec, variant, threads, runs, times):
    stats = timing.summarize(times)
    return {
        "mode": "infer",
        "engine": engine,
        "net": python_nets.net_name(variant),
        "variant": variant,
        "config": spec["config"],
        "size": list(spec["size"]),
        "batch": 1,
        "threads": threads,
        "runs": runs,
        **stats,
        "fps": 1000.0 / stats["median_ms"],
        "torch_version": torch.__version__,
    }


def bench(spec, engines, threads, warmup, runs, seed):
    variant, model, x = make_model(spec, seed)
    out = []
    if "eager" in engines:
        def eager():
            with torch.no_grad():
                model(x)
        out.append(result("python-eager", spec, variant, threads, runs, timing.time_calls(eager, warmup, runs)))
    if "torchscript" in engines:
        ts = torchscript_frozen(model, x)

        def scripted():
            with torch.no_grad():
                ts(x)
        out.append(result("python-torchscript", spec, variant, threads, runs,
                          timing.time_calls(scripted, warmup, runs)))
    return out


def export_onnx(spec, out_dir, seed):
    variant, model, x = make_model(spec, seed)
    path = os.path.join(out_dir, spec["config"] + ".onnx")
    with torch.no_grad():
        torch.onnx.export(model, x, path, input_names=["input"], output_names=["output"], opset_version=13)
    return path


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", action="append", default=[], help="portraitseg JSON config (repeatable)")
    ap.add_argument("--configs", default=os.path.join(here, "..", "..", "configs"),
                    help="folder whose *.json (demo.json excluded) are used when no --config is given")
    ap.add_argument("--set", action="append", default=[], metavar="KEY.PATH=VALUE",
                    help="override a config value, as portraitseg --set (applies to every --config)")
    ap.add_argument("--label", help="name reported as \"config\" (default: the config file's name)")
    ap.add_argument("--engine", choices=["eager", "torchscript", "all"], default="all")
    ap.add_argument("--size", help="HxW instead of each config's input size (smoke runs)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=10, help="untimed calls first (default 10)")
    ap.add_argument("--runs", type=int, default=100, help="timed calls (default 100; use >= 50 for figures)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--onnx-out", metavar="DIR", help="write DIR/<config>.onnx for each config and exit")
    ap.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    args = ap.parse_args()
    if args.runs < 1 or args.warmup < 0 or args.threads < 1:
        ap.error("--runs and --threads must be >= 1, --warmup >= 0")

    torch.set_num_threads(args.threads)
    paths = args.config or python_nets.default_configs(args.configs)
    specs = [python_nets.spec_from_config(p, args.set) for p in paths]
    if args.label:
        for spec in specs:
            spec["config"] = args.label
    if args.size:
        size = python_nets.parse_size(args.size)
        for spec in specs:
            spec["size"] = size

    if args.onnx_out:
        os.makedirs(args.onnx_out, exist_ok=True)
        for spec in specs:
            print(export_onnx(spec, args.onnx_out, args.seed))
        return 0

    engines = ["eager", "torchscript"] if args.engine == "all" else [args.engine]
    results = []
    for spec in specs:
        print(f"infer bench: {spec['config']} ({spec['size'][0]}x{spec['size'][1]}, batch 1) ...", file=sys.stderr,
              flush=True)
        for r in bench(spec, engines, args.threads, args.warmup, args.runs, args.seed):
            results.append(r)
            if not args.json:
                print(f"{r['config']:22s} {r['engine']:20s} median {r['median_ms']:8.2f} ms  p90 {r['p90_ms']:8.2f}  "
                      f"p99 {r['p99_ms']:8.2f}  {r['fps']:7.1f} fps")
    if args.json:
        print(json.dumps({"results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
