"""Pooling windows as arrays, shared by ``max_pool2d`` and ``avg_pool2d`` (not a layer).

Window (i, j) of a padded NCHW input x̃ with kernel (k_h, k_w) and stride (s_h, s_w) reads
x̃[n, c, i s_h + a, j s_w + b] for 0 ≤ a < k_h, 0 ≤ b < k_w.  Every loop here runs over the
k_h k_w kernel offsets, never over windows: each step is one array operation on all windows.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.lib.stride_tricks import as_strided

Pair = int | tuple[int, int]


def pair(value: Pair) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def geometry(
    name: str, shape: tuple[int, ...], kernel_size: Pair, stride: Pair | None, padding: Pair
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]:
    """(kernel, stride, padding, output size), checked as torch checks them."""
    kernel = pair(kernel_size)
    step = pair(kernel_size if stride is None else stride)
    pad = pair(padding)
    if len(shape) != 4:
        raise ValueError(f"{name} needs x (N, C, H, W), got shape {shape}")
    if min(kernel) < 1 or min(step) < 1:
        raise ValueError(f"{name} needs kernel_size and stride ≥ 1, got {kernel} and {step}")
    if any(2 * p > k for p, k in zip(pad, kernel, strict=True)):
        raise ValueError(
            f"{name}: padding {pad} is more than half the kernel {kernel}, so a window could "
            "lie wholly in the padding; use padding ≤ kernel_size // 2"
        )
    out = tuple(
        (size + 2 * p - k) // s + 1
        for size, p, k, s in zip(shape[2:], pad, kernel, step, strict=True)
    )
    if min(out) < 1:
        raise ValueError(f"{name}: kernel {kernel} is larger than the padded input {shape[2:]}")
    return kernel, step, pad, out


def padded(x: np.ndarray, padding: tuple[int, int], value: float) -> np.ndarray:
    """x with ``padding`` rows and columns of ``value`` on each side (x itself if none)."""
    (ph, pw) = padding
    if ph == pw == 0:
        return x
    n, c, h, w = x.shape
    xp = np.full((n, c, h + 2 * ph, w + 2 * pw), value, dtype=x.dtype)
    xp[:, :, ph : ph + h, pw : pw + w] = x
    return xp


def stacked(xp: np.ndarray, kernel, stride, out) -> np.ndarray:
    """(k_h k_w, N, C, H_out, W_out): for each kernel offset, the value it reads in every window.

    One strided copy; the loops over offsets then run on contiguous slices (long SIMD loops)
    rather than on strided views with W_out-element inner loops.
    """
    (sn, sc, sh, sw) = xp.strides
    shape = (*kernel, *xp.shape[:2], *out)
    view = as_strided(xp, shape, (sh, sw, sn, sc, sh * stride[0], sw * stride[1]), writeable=False)
    return view.reshape(kernel[0] * kernel[1], *xp.shape[:2], *out)


def offsets(kernel, stride, out) -> Iterator[tuple[int, tuple[slice, slice]]]:
    """(row-major offset index, the padded rows and columns that offset reads in all windows)."""
    for a in range(kernel[0]):
        rows = slice(a, a + stride[0] * (out[0] - 1) + 1, stride[0])
        for b in range(kernel[1]):
            cols = slice(b, b + stride[1] * (out[1] - 1) + 1, stride[1])
            yield a * kernel[1] + b, (rows, cols)


def overlapping(kernel, stride) -> bool:
    return stride[0] < kernel[0] or stride[1] < kernel[1]


def tiles(padded_shape, kernel, stride, out) -> bool:
    """Whether the windows cover every padded position exactly once."""
    return tuple(stride) == tuple(kernel) and all(
        o * k == size for o, k, size in zip(out, kernel, padded_shape[2:], strict=True)
    )


def cropped(grad_xp: np.ndarray, padding: tuple[int, int], shape) -> np.ndarray:
    """The gradient for x from the gradient for the padded x̃ (contiguous)."""
    (ph, pw) = padding
    if ph == pw == 0:
        return grad_xp
    return np.ascontiguousarray(grad_xp[:, :, ph : ph + shape[2], pw : pw + shape[3]])
