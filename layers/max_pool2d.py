"""2-D max pooling, as ``torch.nn.functional.max_pool2d`` (dilation 1, ceil_mode False), NCHW.

With x̃ the input padded by p with -∞ (padding never wins), kernel k and stride s
(default: the kernel size)::

    y[n,c,i,j] = max_{0 ≤ a < k_h, 0 ≤ b < k_w} x̃[n, c, i s_h + a, j s_w + b]

    H_out = ⌊(H + 2 p_h - k_h) / s_h⌋ + 1     (likewise W_out)

Backward, with g = ∂L/∂y and (u*, v*)[n,c,i,j] the position in x of the window's maximum (the
first in row-major order at a tie, as torch)::

    ∂L/∂x[n,c,u,v] = Σ_{i,j : (u*, v*)[n,c,i,j] = (u, v)} g[n,c,i,j]

Overlapping windows (s < k) may share a maximum, so the scatter accumulates (``np.add.at``).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from gradcheck.cases import Case, rand_distinct

Pair = int | tuple[int, int]


def _pair(value: Pair) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def forward(x: np.ndarray, *, kernel_size: Pair, stride: Pair | None = None, padding: Pair = 0):
    (kh, kw) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    (ph, pw) = _pair(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    windows = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    flat = windows.reshape(windows.shape[:4] + (kh * kw,))
    # argmax returns the first maximum, which is where torch routes the gradient at a tie.
    arg = flat.argmax(axis=-1)
    y = np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]
    oh, ow = y.shape[2:]
    rows = np.arange(oh)[:, None] * sh + arg // kw - ph
    cols = np.arange(ow)[None, :] * sw + arg % kw - pw
    return y, (x.shape, x.dtype, rows, cols)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray]:
    shape, dtype, rows, cols = cache
    n, c = shape[:2]
    grad_x = np.zeros(shape, dtype=dtype)
    batch = np.arange(n)[:, None, None, None]
    channel = np.arange(c)[None, :, None, None]
    np.add.at(grad_x, (batch, channel, rows, cols), grad_output)
    return (grad_x,)


def torch_reference(x, *, kernel_size, stride=None, padding=0):
    import torch.nn.functional as F

    return F.max_pool2d(x, kernel_size, stride=stride, padding=padding)


CASES = [
    Case(rand_distinct(1, 2, 4, 4), kernel_size=2),
    Case(rand_distinct(2, 1, 4, 4), kernel_size=2, stride=2),
    Case(rand_distinct(1, 1, 4, 5), kernel_size=3, stride=1),  # overlapping: shared maxima
    Case(rand_distinct(1, 1, 5, 5), kernel_size=3, stride=2),  # overlapping by one row/column
    Case(rand_distinct(1, 1, 5, 5), kernel_size=2, stride=2, padding=1),
    Case(rand_distinct(1, 1, 4, 4), kernel_size=3, stride=2, padding=1),
    Case(rand_distinct(1, 1, 4, 6), kernel_size=(2, 3), stride=(1, 2)),  # non-square
    Case(rand_distinct(1, 1, 5, 4), kernel_size=(3, 2), stride=(2, 1), padding=(1, 0)),
    Case(rand_distinct(2, 3, 12, 10), kernel_size=3, stride=2, padding=1, symbolic=False),
]
