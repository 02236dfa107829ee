"""Throughput of the nn.functional ops added for PyTorch parity (issue 14, part B) beside
PyTorch (CPU): forward + backward of each op alone, float32, printed as milliseconds per call and
as a ratio (PyTorch time / ours; >= 1 means we are faster). Timings are the best of interleaved
runs.

    python benchmarks/bench_functional.py [--threads 2] [--repeat 10] [--only NAME]
"""
from __future__ import annotations

import argparse
import os
import time


def _parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--only", default="", help="run only cases whose name contains this")
    return p.parse_args()


ARGS = _parse() if __name__ == "__main__" else None
if ARGS is not None:  # thread counts must be set before NumPy/PyTorch load their BLAS
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(ARGS.threads))
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

import retrograd as rg

RNG = np.random.default_rng(0)
IMAGES = RNG.standard_normal((16, 32, 32, 32)).astype(np.float32)          # (N, C, H, W)
VOLUMES = RNG.standard_normal((4, 8, 16, 16, 16)).astype(np.float32)       # (N, C, D, H, W)
W3D = (RNG.standard_normal((16, 8, 3, 3, 3)) / 15).astype(np.float32)
WT3D = (RNG.standard_normal((8, 8, 3, 3, 3)) / 15).astype(np.float32)
QKV = [RNG.standard_normal((8, 8, 128, 64)).astype(np.float32) for _ in range(3)]  # (B, H, L, E)
SEQ = RNG.standard_normal((64, 16, 128)).astype(np.float32)                # (L, N, E)
ACT = RNG.standard_normal((256, 4096)).astype(np.float32)

# name, inputs, call(F, *inputs)
CASES = [
    ("hardswish 256x4096", [ACT], lambda F, x: F.hardswish(x)),
    ("mish 256x4096", [ACT], lambda F, x: F.mish(x)),
    ("pad reflect 2px 16x32x32x32", [IMAGES], lambda F, x: F.pad(x, (2, 2, 2, 2), mode="reflect")),
    ("interpolate nearest x2", [IMAGES], lambda F, x: F.interpolate(x, scale_factor=2)),
    ("interpolate bilinear x2", [IMAGES], lambda F, x: F.interpolate(x, scale_factor=2, mode="bilinear")),
    ("group_norm 8 groups", [IMAGES], lambda F, x: F.group_norm(x, 8)),
    ("instance_norm", [IMAGES], lambda F, x: F.instance_norm(x)),
    ("normalize dim 1", [IMAGES], lambda F, x: F.normalize(x)),
    ("unfold 3x3 pad 1", [IMAGES], lambda F, x: F.unfold(x, 3, padding=1)),
    ("sdpa causal 8x8x128x64", QKV, lambda F, q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True)),
    ("conv3d 8->16 3^3 16^3 b4", [VOLUMES, W3D], lambda F, x, w: F.conv3d(x, w, padding=1)),
    ("conv_transpose3d 8->8 s2", [VOLUMES, WT3D], lambda F, x, w: F.conv_transpose3d(x, w, stride=2)),
    ("max_pool3d 2", [VOLUMES], lambda F, x: F.max_pool3d(x, 2)),
    ("avg_pool3d 3 s2 p1", [VOLUMES], lambda F, x: F.avg_pool3d(x, 3, 2, 1)),
]


def _step(lib, F, inputs, call):
    tensors = [lib.tensor(a, requires_grad=True) for a in inputs]

    def step():
        call(F, *tensors).sum().backward()
        for t in tensors:
            t.grad = None
    return step


def _mha_step(nn, tensor, seed_everything):
    seed_everything(0)
    mha = nn.MultiheadAttention(128, 8)
    x = tensor(SEQ)
    x.requires_grad_(True)

    def step():
        mha(x, x, x)[0].sum().backward()
        mha.zero_grad()
        x.grad = None
    return step, mha


def _time(fns: dict, repeat: int) -> dict:
    for f in fns.values():
        f(), f()
    times = {k: [] for k in fns}
    for _ in range(repeat):
        for k, f in fns.items():
            t = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t)
    return {k: min(v) * 1e3 for k, v in times.items()}


def main(args) -> None:
    try:
        import torch
        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
    print(f"threads={args.threads}  numpy {np.__version__}  torch "
          f"{torch.__version__ if torch else '(not installed)'}")
    print(f"{'op (forward + backward, float32)':<34}{'ours ms':>9}{'torch ms':>10}{'ratio':>8}")
    rows = [(name, _step(rg, rg.nn.functional, inputs, call),
             torch and _step(torch, torch.nn.functional, inputs, call)) for name, inputs, call in CASES]
    ours_mha, ours_module = _mha_step(rg.nn, rg.tensor, rg.manual_seed)
    theirs_mha = None
    if torch is not None:
        theirs_mha, module = _mha_step(torch.nn, torch.tensor, torch.manual_seed)
        module.load_state_dict({k: torch.tensor(v.array) for k, v in ours_module.state_dict().items()})
    rows.append(("MultiheadAttention E128 H8 L64 N16", ours_mha, theirs_mha))
    for name, ours, theirs in rows:
        if args.only and args.only not in name:
            continue
        fns = {"ours": ours} if theirs is None else {"ours": ours, "torch": theirs}
        t = _time(fns, args.repeat)
        theirs_ms = t.get("torch")
        ratio = f"{theirs_ms / t['ours']:.2f}x" if theirs_ms else "-"
        print(f"{name:<34}{t['ours']:>9.2f}{theirs_ms or float('nan'):>10.2f}{ratio:>8}")


if __name__ == "__main__":
    main(ARGS)
