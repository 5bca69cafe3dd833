"""2-D max pooling, as ``torch.nn.functional.max_pool2d`` (dilation 1, ceil_mode False), NCHW.

With x̃ the input padded by p with -∞ (padding never wins), kernel k and stride s
(default: the kernel size)::

    y[n,c,i,j] = max_{0 ≤ a < k_h, 0 ≤ b < k_w} x̃[n, c, i s_h + a, j s_w + b]

    H_out = ⌊(H + 2 p_h - k_h) / s_h⌋ + 1     (likewise W_out)

Backward, with g = ∂L/∂y and (u*, v*)[n,c,i,j] the position in x of the window's maximum (the
first in row-major order at a tie, as torch)::

    ∂L/∂x[n,c,u,v] = Σ_{i,j : (u*, v*)[n,c,i,j] = (u, v)} g[n,c,i,j]

Overlapping windows (s < k) may share a maximum, so the scatter accumulates (``np.bincount``);
without overlap each offset writes its own positions.  Loops run over kernel offsets, never
over windows.
"""

import numpy as np

from gradcheck.cases import Case, Draw, rand_distinct, rand_normal
from layers._windows import Pair, cropped, geometry, offsets, overlapping, padded, stacked


def forward(x: np.ndarray, *, kernel_size: Pair, stride: Pair | None = None, padding: Pair = 0):
    kernel, step, pad, out = geometry("max_pool2d", x.shape, kernel_size, stride, padding)
    values = stacked(padded(x, pad, -np.inf), kernel, step, out)
    # Offsets in row-major order with a strict >: the first maximum wins a tie, as in torch.
    y = values[0].copy()
    arg = np.zeros(y.shape, dtype=np.uint8 if len(values) <= 256 else np.intp)
    for offset in range(1, len(values)):
        greater = values[offset] > y
        np.maximum(y, values[offset], out=y)
        arg += greater * (offset - arg)  # arg = offset where greater, without np.where's branches
    return y, (x.shape, x.dtype, kernel, step, pad, arg)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray]:
    shape, dtype, kernel, step, pad, arg = cache
    n, c, h, w = shape
    padded_shape = (n, c, h + 2 * pad[0], w + 2 * pad[1])
    out = arg.shape[2:]
    if not overlapping(kernel, step):
        # Each position is in at most one window: every offset writes its own positions.
        grad_xp = np.zeros(padded_shape, dtype=dtype)
        for offset, (rows, cols) in offsets(kernel, step, out):
            np.multiply(arg == offset, grad_output, out=grad_xp[:, :, rows, cols])
        return (cropped(grad_xp, pad, shape),)
    # Overlapping windows may share a maximum: a scatter-add at the flat position of each
    # window's maximum (bincount; measured several times faster than np.add.at or an
    # accumulation over offsets on strided views).
    rows = (np.arange(out[0]) * step[0])[:, None] + arg // kernel[1]
    cols = (np.arange(out[1]) * step[1])[None, :] + arg % kernel[1]
    planes = (np.arange(n * c) * (padded_shape[2] * padded_shape[3])).reshape(n, c, 1, 1)
    position = rows * padded_shape[3]
    position += cols
    position += planes
    summed = np.bincount(
        position.reshape(-1), grad_output.reshape(-1), minlength=int(np.prod(padded_shape))
    )
    return (cropped(summed.astype(dtype, copy=False).reshape(padded_shape), pad, shape),)


def torch_reference(x, *, kernel_size, stride=None, padding=0):
    import torch.nn.functional as F

    return F.max_pool2d(x, kernel_size, stride=stride, padding=padding)


def _ties(*shape: int) -> Draw:
    """Values from {0, 1, 2}: windows with several maxima, where max is not differentiable.

    The first window's maximum is planted twice, so every seed has at least one tie (a free
    draw left all 9 windows of a 4x4 map tie-free at 4 seeds in 1000).
    """

    def sample(rng: np.random.Generator, s: tuple[int, ...]) -> np.ndarray:
        x = rng.integers(0, 3, s).astype(float)
        x[..., 0, 0] = x[..., 0, 1] = x[..., :2, :2].max()
        return x

    return Draw("ties", shape, sample)


CASES = [
    Case(rand_distinct(1, 2, 4, 4), kernel_size=2),
    Case(rand_distinct(2, 1, 4, 4), kernel_size=2, stride=2),
    Case(rand_distinct(1, 1, 4, 5), kernel_size=3, stride=1),  # overlapping: shared maxima
    Case(rand_distinct(1, 1, 5, 5), kernel_size=3, stride=2),  # overlapping by one row/column
    Case(rand_distinct(1, 1, 5, 5), kernel_size=2, stride=2, padding=1),
    Case(rand_distinct(1, 1, 4, 4), kernel_size=3, stride=2, padding=1),
    Case(rand_distinct(1, 1, 4, 6), kernel_size=(2, 3), stride=(1, 2)),  # non-square
    Case(rand_distinct(1, 1, 5, 4), kernel_size=(3, 2), stride=(2, 1), padding=(1, 0)),
    Case(rand_distinct(1, 1, 5, 5), kernel_size=2, stride=2),  # last row and column in no window
    # ties are kinks: finite differences say nothing, and the backward must route the gradient
    # to the first maximum of each window, as the derivation (and torch) does
    Case(_ties(1, 1, 4, 4), kernel_size=2, stride=1, at_kink=True, name="1x1x4x4-ties"),
    Case(rand_distinct(2, 3, 12, 10), kernel_size=3, stride=2, padding=1, symbolic=False),
]

# Realistic size for benchmarks/ (never checked): 2x2 pooling after a CIFAR-sized conv layer.
BENCHMARK = Case(rand_normal(16, 64, 32, 32), kernel_size=2, symbolic=False)
