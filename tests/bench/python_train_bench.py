#!/usr/bin/python3
"""Training throughput of the Python PyTorch eager nets: fwd + bwd + Adam on random tensors (no data loading).

For each config (default: every configs/*.json except demo.json, plus "portrait_net_plain": portrait_net.json
with the plain CE recipe, see PORTRAIT_PLAIN_OVERRIDES) the net is built at the config's input size in training
mode, and one step is: zero_grad, forward, the config's loss (training.md §2), backward, Adam step. The input
batch and targets are random and made once, so the figure is the model's cost only.

    /usr/bin/python3 tests/bench/python_train_bench.py [--config FILE ...] [--steps N] [--warmup N] [--json]
"""
import argparse
import json
import os
import sys
import warnings

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import python_nets  # noqa: E402
import timing  # noqa: E402


# --- losses (training.md §2) -------------------------------------------------------------------------------------

def bce_loss(z, y):
    valid = (y != 255).to(z.dtype)
    return F.binary_cross_entropy_with_logits(z, y * valid, weight=valid, reduction="sum") / valid.sum().clamp_min(1)


def ce_loss(z, y):
    return F.cross_entropy(z, y, ignore_index=255)


def focal_loss(e, b, gamma):
    logpt = -F.cross_entropy(e, b, reduction="none")
    pt = logpt.exp().detach()  # the reference detaches the modulating factor
    return (-(1 - pt) ** gamma * logpt).mean()


def kl_loss(student, teacher, temperature):
    t = temperature
    p = F.log_softmax(student / t, dim=1)
    q = F.softmax(teacher.detach() / t, dim=1)
    return F.kl_div(p, q, reduction="mean") * t * t


def recipe_name(spec):
    loss = spec["loss"]
    if loss["recipe"] != "portraitnet":
        return loss["recipe"]
    parts = ["ce"]
    if loss["consistency"]:
        parts += ["ce_plain", "kl"]
    if loss["boundary"]:
        parts.append("focal")
    return "+".join(parts)


# PortraitNet image model with the plain CE recipe (no boundary head, one view), as portraitseg --set overrides.
PORTRAIT_PLAIN_OVERRIDES = ["model.boundary_head=false", "loss.boundary=false", "loss.consistency=false"]


class TrainStep:
    """One optimisation step on a fixed random batch, following the config's loss recipe."""

    def __init__(self, spec, batch, seed):
        torch.manual_seed(seed)
        self.spec = spec
        variant = spec["variant"]
        self.model = python_nets.build(variant).train()
        h, w = spec["size"]
        c = python_nets.input_channels(variant)
        g = torch.Generator().manual_seed(seed)
        self.x = torch.rand(batch, c, h, w, generator=g)
        labels = (torch.rand(batch, h, w, generator=g) > 0.5).long()
        loss = spec["loss"]
        if loss["recipe"] not in ("bce", "ce", "portraitnet"):
            raise ValueError(f"{spec['config']}: loss.recipe {loss['recipe']!r} is not timed here (bce, ce, portraitnet)")
        if loss["recipe"] == "bce":
            self.y = labels.unsqueeze(1).float()
        else:
            self.y = labels
        if loss["recipe"] == "portraitnet":
            if loss["boundary"] and not python_nets.has_boundary_head(variant):
                raise ValueError(f"{spec['config']}: loss.boundary needs model.boundary_head")
            self.boundary = (torch.rand(batch, h, w, generator=g) > 0.9).long()
            self.x_plain = torch.rand(batch, c, h, w, generator=g) if loss["consistency"] else None
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3, eps=spec["adam_eps"],
                                    weight_decay=spec["weight_decay"])

    def loss(self):
        loss_cfg = self.spec["loss"]
        recipe = loss_cfg["recipe"]
        if recipe == "bce":
            return bce_loss(self.model(self.x), self.y)
        if recipe == "ce":
            return ce_loss(self.model(self.x), self.y)
        out = self.model(self.x)
        z, e = out if isinstance(out, tuple) else (out, None)
        total = ce_loss(z, self.y)
        if loss_cfg["consistency"]:
            # Second forward pass on the deformation-only view, in training mode as in the reference.
            out_plain = self.model(self.x_plain)
            z_plain = out_plain[0] if isinstance(out_plain, tuple) else out_plain
            total = total + ce_loss(z_plain, self.y)
            total = total + loss_cfg["kl_weight"] * kl_loss(z, z_plain, loss_cfg["kl_temperature"])
        if loss_cfg["boundary"]:
            total = total + loss_cfg["boundary_weight"] * focal_loss(e, self.boundary, loss_cfg["focal_gamma"])
        return total

    def __call__(self):
        self.opt.zero_grad(set_to_none=True)
        loss = self.loss()
        loss.backward()
        self.opt.step()
        if not torch.isfinite(loss):
            raise RuntimeError(f"{self.spec['config']}: non-finite loss {loss.item()}")


def bench(spec, batch, threads, warmup, steps, seed):
    step = TrainStep(spec, batch, seed)
    times = timing.time_calls(step, warmup, steps)
    stats = timing.summarize(times)
    h, w = spec["size"]
    return {
        "mode": "train",
        "engine": "python-eager",
        "net": python_nets.net_name(spec["variant"]),
        "variant": spec["variant"],
        "config": spec["config"],
        "recipe": recipe_name(spec),
        "size": [h, w],
        "batch": batch,
        "threads": threads,
        "steps": steps,
        "images_per_s": batch * 1000.0 / stats["median_ms"],
        "median_step_ms": stats["median_ms"],
        "p90_step_ms": stats["p90_ms"],
        "torch_version": torch.__version__,
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", action="append", default=[], help="portraitseg JSON config (repeatable)")
    ap.add_argument("--configs", default=os.path.join(here, "..", "..", "configs"),
                    help="folder whose *.json (demo.json excluded) are used when no --config is given")
    ap.add_argument("--set", action="append", default=[], metavar="KEY.PATH=VALUE",
                    help="override a config value, as portraitseg --set (applies to every --config)")
    ap.add_argument("--label", help="name reported as \"config\" (default: the config file's name)")
    ap.add_argument("--no-portrait-plain", action="store_true",
                    help="without --config: skip the extra PortraitNet plain-CE case")
    ap.add_argument("--size", help="HxW instead of each config's input size (smoke runs; multiples of 32)")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps first (default 3)")
    ap.add_argument("--steps", type=int, default=20, help="timed steps; the median is reported (default 20)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    args = ap.parse_args()
    if args.steps < 1 or args.warmup < 0 or args.batch < 1 or args.threads < 1:
        ap.error("--steps, --batch and --threads must be >= 1, --warmup >= 0")

    torch.set_num_threads(args.threads)
    # The reference KL term is the element mean on purpose (training.md §2.4); torch warns about it every call.
    warnings.filterwarnings("ignore", message="reduction: 'mean' divides the total loss")
    if args.config:
        specs = [python_nets.spec_from_config(p, args.set) for p in args.config]
    else:
        paths = python_nets.default_configs(args.configs)
        specs = [python_nets.spec_from_config(p, args.set) for p in paths]
        if not args.no_portrait_plain:
            plain = os.path.join(args.configs, "portrait_net.json")
            specs.append(python_nets.spec_from_config(plain, args.set + PORTRAIT_PLAIN_OVERRIDES))
            specs[-1]["config"] = "portrait_net_plain"
    if args.label:
        for spec in specs:
            spec["config"] = args.label
    if args.size:
        size = python_nets.parse_size(args.size)
        for spec in specs:
            spec["size"] = size

    results = []
    for spec in specs:
        print(f"train bench: {spec['config']} ({spec['variant']}, {recipe_name(spec)}, "
              f"{spec['size'][0]}x{spec['size'][1]}, batch {args.batch}) ...", file=sys.stderr, flush=True)
        r = bench(spec, args.batch, args.threads, args.warmup, args.steps, args.seed)
        results.append(r)
        if not args.json:
            print(f"{r['config']:26s} {r['variant']:28s} {r['recipe']:20s} {r['images_per_s']:8.2f} img/s  "
                  f"median step {r['median_step_ms']:9.1f} ms  p90 {r['p90_step_ms']:9.1f} ms")
    if args.json:
        print(json.dumps({"results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
