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
from numpy.lib.stride_tricks import sliding_window_view

from gradcheck.cases import Case, rand_normal

Pair = int | tuple[int, int]


def _pair(value: Pair) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def forward(x: np.ndarray, *, kernel_size: Pair, stride: Pair | None = None, padding: Pair = 0):
    (kh, kw) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    (ph, pw) = _pair(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    windows = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    y = windows.sum(axis=(4, 5)) / (kh * kw)
    return y, (x.shape, x.dtype, (kh, kw), (sh, sw), (ph, pw))


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray]:
    shape, dtype, (kh, kw), (sh, sw), (ph, pw) = cache
    n, c, h, w = shape
    oh, ow = grad_output.shape[2:]
    share = grad_output / (kh * kw)
    # Each kernel offset (a, b) sends every window's share to the strided grid of padded
    # positions it covers; overlapping windows accumulate across offsets.
    grad_xp = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=dtype)
    for a in range(kh):
        for b in range(kw):
            grad_xp[:, :, a : a + sh * (oh - 1) + 1 : sh, b : b + sw * (ow - 1) + 1 : sw] += share
    return (np.ascontiguousarray(grad_xp[:, :, ph : ph + h, pw : pw + w]),)


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
