"""``python -m benchmarks.alternatives [--repeat N]``: the design choices of the kernels, timed.

Each line times the implementation a layer uses beside the alternatives it was chosen over, on
the layer's BENCHMARK inputs (float32), interleaved, best of N.  All produce the same values.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from gradcheck.benchmark import best_times, workload


def _conv_contraction() -> dict[str, Callable[[], object]]:
    x, w, _ = workload("conv2d", "float32").inputs
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    (n, c, h, _), (o, _, kh, kw) = x.shape, w.shape
    windows = sliding_window_view(xp, (kh, kw), axis=(2, 3))  # (N, C, H, W, kh, kw)
    s = xp.strides
    rows = as_strided(xp, (c, kh, kw, n, h, h), (s[1], s[2], s[3], s[0], s[2], s[3]))
    return {
        "im2col (C k k, N H W) + one matmul [used]": lambda: (
            w.reshape(o, -1) @ rows.reshape(c * kh * kw, -1)
        ),
        "einsum(optimize=True) on the window view": lambda: np.einsum(
            "nchwkl,ockl->nohw", windows, w, optimize=True
        ),
        "tensordot on the window view": lambda: np.tensordot(windows, w, ([1, 4, 5], [1, 2, 3])),
    }


def _col2im() -> dict[str, Callable[[], object]]:
    x, w, _ = workload("conv2d", "float32").inputs
    (n, c, h, _), (_, _, k, _) = x.shape, w.shape
    columns = np.random.default_rng(0).standard_normal((c, k, k, n, h, h)).astype(np.float32)
    flat = np.arange(c * n * (h + 2) ** 2).reshape(c, n, h + 2, h + 2)
    s = flat.strides
    target = as_strided(flat, columns.shape, (s[0], s[2], s[3], s[1], s[2], s[3])).reshape(-1)

    def offsets():
        out = np.zeros((c, n, h + 2, h + 2), np.float32)
        for a in range(k):
            for b in range(k):
                out[:, :, a : a + h, b : b + h] += columns[:, a, b]
        return out

    def add_at():
        out = np.zeros(flat.size, np.float32)
        np.add.at(out, target, columns.reshape(-1))
        return out

    return {
        "one strided add per kernel offset [used]": offsets,
        "np.add.at on flat positions": add_at,
        "np.bincount on flat positions": lambda: np.bincount(target, columns.reshape(-1)),
    }


def _pool_backward() -> dict[str, Callable[[], object]]:
    (x,) = workload("max_pool2d", "float32").inputs
    n, c, h, _ = x.shape
    rng = np.random.default_rng(0)
    arg = rng.integers(0, 4, (n, c, h // 2, h // 2)).astype(np.uint8)
    g = rng.standard_normal(arg.shape).astype(np.float32)
    table = np.arange(4, dtype=np.uint8).reshape(2, 1, 2)

    def offsets():
        out = np.empty(x.shape, np.float32)
        for a in range(2):
            for b in range(2):
                np.multiply(arg == 2 * a + b, g, out=out[:, :, a::2, b::2])
        return out

    def reshape_trick():
        out = np.empty((n, c, h // 2, 2, h // 2, 2), np.float32)
        np.multiply(arg[:, :, :, None, :, None] == table, g[:, :, :, None, :, None], out=out)
        return out.reshape(x.shape)

    return {
        "one write per kernel offset [used, no overlap]": offsets,
        "reshape trick (6-D broadcast)": reshape_trick,
    }


def _select() -> dict[str, Callable[[], object]]:
    (x,) = workload("sigmoid", "float32").inputs
    e = np.exp(-np.abs(x))

    def arithmetic():
        out = np.empty_like(x)
        np.greater_equal(x, 0, out=out, casting="unsafe")
        return np.maximum(out, e, out=out)

    return {
        "max(e, [x ≥ 0]) [used]": arithmetic,
        "np.where(x >= 0, 1, e)": lambda: np.where(x >= 0, np.float32(1), e),
    }


def _embedding_scatter() -> dict[str, Callable[[], object]]:
    w = workload("embedding", "float32")
    (weight,), indices = w.inputs, w.hyper["indices"].reshape(-1)
    rows = w.grad_output.reshape(-1, weight.shape[1])
    flat = (indices[:, None] * weight.shape[1] + np.arange(weight.shape[1])).reshape(-1)

    def one_d():
        out = np.zeros(weight.shape, np.float32)
        np.add.at(out.reshape(-1), flat, rows.reshape(-1))
        return out

    def two_d():
        out = np.zeros(weight.shape, np.float32)
        np.add.at(out, indices, rows)
        return out

    return {"1-D add.at on element positions [used]": one_d, "2-D add.at on rows": two_d}


CHOICES = {
    "conv2d forward contraction": _conv_contraction,
    "conv2d input gradient scatter (col2im)": _col2im,
    "max_pool2d backward, 2x2 windows": _pool_backward,
    "exact select of two arrays (sigmoid)": _select,
    "embedding scatter-add": _embedding_scatter,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.alternatives")
    parser.add_argument("--repeat", type=int, default=5, help="samples per timing; best is kept")
    args = parser.parse_args(argv)
    print("| choice | implementation | ms | vs used |\n|---|---|---|---|")
    for choice, build in CHOICES.items():
        runs = build()
        times = best_times(list(runs.values()), max(args.repeat, 1))
        for label, seconds in zip(runs, times, strict=True):
            print(f"| {choice} | {label} | {seconds * 1e3:.3g} | {seconds / times[0]:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
