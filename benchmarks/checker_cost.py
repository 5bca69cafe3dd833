"""What one gradient check costs beside ``torch.autograd.gradcheck`` on the same conv2d.

The issue's yardstick: conv2d with x 2x3x10x10, weight 4x3x3x3 and bias 4 (712 inputs).  torch
compares two legs, its autograd against finite differences; trigrad's same two legs are
``check`` without a derivation.  The symbolic leg comes on top: cold, SymPy differentiates the
element-wise forward (minutes at this size); warm, it runs the lambdified Jacobian from the
disk cache.  Each timing is the best of ``--repeat`` runs, interleaved, in one process::

    python -m benchmarks.checker_cost --repeat 5
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from functools import partial

import numpy as np

from derivations import conv2d as conv2d_derivation
from gradcheck import bind, check
from layers import conv2d

SHAPES = {"x": (2, 3, 10, 10), "weight": (4, 3, 3, 3), "bias": (4,)}


def _inputs(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for shape in SHAPES.values()]


def _ours(symbolic: bool) -> Callable[[], object]:
    derivation = bind(conv2d_derivation) if symbolic else None

    def run() -> object:
        report = check(conv2d.forward, conv2d.backward, _inputs(), derivation, name="conv2d")
        assert report.passed, str(report)  # a timing of a failing check would mean nothing
        return report

    return run


def _torch() -> Callable[[], object] | None:
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        return None
    torch.set_num_threads(1)  # as NumPy's loops here; the products are far too small to thread
    tensors = [torch.tensor(a, requires_grad=True) for a in _inputs()]
    return partial(torch.autograd.gradcheck, F.conv2d, tensors)


def seconds(run: Callable[[], object]) -> float:
    """The wall time of one call."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.checker_cost", description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each (best kept)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    first = seconds(_ours(symbolic=True))  # fills the disk cache if it is cold
    print(f"first three-way check (cold if the cache was empty): {first:.2f} s")
    runs = {"trigrad, backward vs numeric": _ours(False), "trigrad, three-way (warm)": _ours(True)}
    torch_run = _torch()
    if torch_run is not None:
        runs["torch.autograd.gradcheck"] = torch_run
    best = {name: float("inf") for name in runs}
    for _ in range(args.repeat):  # interleaved: a noisy moment hits every contender alike
        for name, run in runs.items():
            best[name] = min(best[name], seconds(run))
    reference = best.get("torch.autograd.gradcheck")
    for name, least in best.items():
        ratio = f"  {least / reference:.2f}x torch" if reference else ""
        print(f"{name:32s} {least * 1e3:9.1f} ms{ratio}")
    if reference is None:
        print("torch is not installed (pip install torch==2.13.0): no ratio")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
