"""Independent TorchScript checker: loads a .pt archive with Python torch.jit.load (Debian python3-torch) and
compares its output with a reference written from C++ with torch::pickle_save.

Usage: /usr/bin/python3 check_torchscript.py MODEL.pt VECTORS.pt TOLERANCE
VECTORS.pt holds a dict of tensors: "input" and "reference" (and optionally "input2"/"reference2" for a second
input size). Prints the max |difference| per pair; exits 0 when all are within TOLERANCE, 1 when not, 77 when
torch cannot be imported (the calling test reports itself skipped).
"""
import sys

try:
    import torch
except ImportError as e:
    print("SKIPPED: python torch is not available (%s)" % e)
    sys.exit(77)


def main():
    model_path, vectors_path, tolerance = sys.argv[1], sys.argv[2], float(sys.argv[3])
    model = torch.jit.load(model_path)
    model.eval()
    vectors = torch.load(vectors_path)
    ok = True
    with torch.no_grad():
        for suffix in ("", "2"):
            if "input" + suffix not in vectors:
                continue
            x = vectors["input" + suffix]
            ref = vectors["reference" + suffix]
            got = model(x)
            if tuple(got.shape) != tuple(ref.shape):
                print("input%s: output shape %s != reference %s" % (suffix, tuple(got.shape), tuple(ref.shape)))
                ok = False
                continue
            diff = (got.double() - ref.double()).abs().max().item()
            print("input%s %s: max_abs_diff %g" % (suffix, "x".join(map(str, x.shape)), diff))
            ok = ok and diff <= tolerance
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
