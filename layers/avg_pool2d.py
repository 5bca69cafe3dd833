"""2-D average pooling, as ``torch.nn.functional.avg_pool2d`` with its defaults
(count_include_pad=True, ceil_mode=False), NCHW.

With x̃ the input zero-padded by p, kernel k and stride s (default: the kernel size)::

    y[n,c,i,j] = (1 / (k_h k_w)) Σ_{0 ≤ a < k_h, 0 ≤ b < k_w} x̃[n, c, i s_h + a, j s_w + b]

    H_out = ⌊(H + 2 p_h - k_h) / s_h⌋ + 1     (likewise W_out)

The padding counts in the divisor: every window divides by k_h k_w.  Backward, with g = ∂L/∂y::

    ∂L/∂x̃[n,c,u,v] = (1 / (k_h k_w)) Σ_{i,j : (u, v) in window (i, j)} g[n,c,i,j]

and ∂L/∂x is ∂L/∂x̃ with the padding cropped off.
"""

import numpy as np

from gradcheck.cases import Case, rand_normal
from layers._windows import Pair, cropped, geometry, offsets, overlapping, padded, stacked, tiles


def forward(x: np.ndarray, *, kernel_size: Pair, stride: Pair | None = None, padding: Pair = 0):
    kernel, step, pad, out = geometry("avg_pool2d", x.shape, kernel_size, stride, padding)
    # (k_h k_w, N, C, H_out, W_out), summed over its contiguous first axis
    y = stacked(padded(x, pad, 0.0), kernel, step, out).sum(axis=0)
    y /= kernel[0] * kernel[1]
    return y, (x.shape, x.dtype, kernel, step, pad)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray]:
    shape, dtype, kernel, step, pad = cache
    n, c, h, w = shape
    padded_shape = (n, c, h + 2 * pad[0], w + 2 * pad[1])
    out = grad_output.shape[2:]
    share = grad_output / (kernel[0] * kernel[1])
    # Each kernel offset sends every window's share to the strided grid of padded positions it
    # covers: written once where windows do not overlap, accumulated where they do.
    cover = tiles(padded_shape, kernel, step, out)
    grad_xp = (np.empty if cover else np.zeros)(padded_shape, dtype=dtype)
    accumulate = overlapping(kernel, step)
    for _, (rows, cols) in offsets(kernel, step, out):
        if accumulate:
            grad_xp[:, :, rows, cols] += share
        else:
            grad_xp[:, :, rows, cols] = share
    return (cropped(grad_xp, pad, shape),)


def torch_reference(x, *, kernel_size, stride=None, padding=0):
    import torch.nn.functional as F

    return F.avg_pool2d(x, kernel_size, stride=stride, padding=padding)


CASES = [
    Case(rand_normal(1, 2, 4, 4), kernel_size=2),
    Case(rand_normal(2, 1, 4, 4), kernel_size=2, stride=2),
    Case(rand_normal(1, 1, 5, 5), kernel_size=3, stride=1),  # overlapping windows
    Case(rand_normal(1, 1, 5, 5), kernel_size=3, stride=2),  # overlapping by one row/column
    Case(rand_normal(1, 1, 5, 5), kernel_size=2, stride=2, padding=1),
    Case(rand_normal(1, 1, 4, 4), kernel_size=3, stride=2, padding=1),  # padding in the divisor
    Case(rand_normal(1, 1, 4, 6), kernel_size=(2, 3), stride=(1, 2)),  # non-square
    Case(rand_normal(1, 1, 5, 4), kernel_size=(3, 2), stride=(2, 1), padding=(1, 0)),
    Case(rand_normal(1, 1, 6, 6), kernel_size=3, stride=2),  # last row/column in no window
    Case(rand_normal(2, 3, 12, 10), kernel_size=3, stride=2, padding=1, symbolic=False),
]

# Realistic size for benchmarks/ (never checked): 2x2 pooling after a CIFAR-sized conv layer.
BENCHMARK = Case(rand_normal(16, 64, 32, 32), kernel_size=2, symbolic=False)
