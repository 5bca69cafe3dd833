"""2-D convolution (cross-correlation), as ``torch.nn.functional.conv2d``, NCHW.

With x: (N, C, H, W), W: (O, C, k_h, k_w), b: (O,), stride s, padding p, dilation d
and x̃ the input zero-padded by p::

    y[n,o,i,j] = b[o] + Σ_c Σ_k Σ_l W[o,c,k,l] x̃[n, c, i s_h + k d_h, j s_w + l d_w]

    H_out = ⌊(H + 2 p_h - d_h (k_h - 1) - 1) / s_h⌋ + 1     (likewise W_out)

Backward, with g = ∂L/∂y::

    ∂L/∂b[o]       = Σ_{n,i,j} g[n,o,i,j]
    ∂L/∂W[o,c,k,l] = Σ_{n,i,j} g[n,o,i,j] x̃[n, c, i s_h + k d_h, j s_w + l d_w]
    ∂L/∂x̃[n,c,u,v] = Σ_{o,k,l : u = i s_h + k d_h, v = j s_w + l d_w} g[n,o,i,j] W[o,c,k,l]

and ∂L/∂x is ∂L/∂x̃ with the padding cropped off (a transposed convolution).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from gradcheck.cases import Case, rand_normal

Pair = int | tuple[int, int]


def _pair(value: Pair) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _windows(xp: np.ndarray, kernel: tuple[int, int], stride, dilation) -> np.ndarray:
    """Read-only view (N, C, H_out, W_out, k_h, k_w) of the padded input's receptive fields."""
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
    view = sliding_window_view(xp, span, axis=(2, 3))
    return view[:, :, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]


def forward(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray,
    *,
    stride: Pair = 1,
    padding: Pair = 0,
    dilation: Pair = 1,
):
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    (ph, pw) = padding
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    windows = _windows(xp, weight.shape[2:], stride, dilation)
    # (N, H_out, W_out, O) -> NCHW
    y = np.tensordot(windows, weight, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2)
    y = y + bias[:, None, None]
    return np.ascontiguousarray(y), (xp, weight, stride, padding, dilation)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xp, weight, stride, padding, dilation = cache
    g = grad_output
    kh, kw = weight.shape[2:]
    (sh, sw), (dh, dw), (ph, pw) = stride, dilation, padding
    oh, ow = g.shape[2:]
    windows = _windows(xp, (kh, kw), stride, dilation)
    grad_weight = np.tensordot(g, windows, axes=([0, 2, 3], [0, 2, 3]))
    grad_bias = g.sum(axis=(0, 2, 3))
    # Transposed convolution: each kernel offset (k, l) sends g·W[:, :, k, l] back to the
    # strided grid of padded positions it read in the forward pass.
    grad_xp = np.zeros_like(xp)
    for k in range(kh):
        for l in range(kw):
            rows = slice(k * dh, k * dh + sh * (oh - 1) + 1, sh)
            cols = slice(l * dw, l * dw + sw * (ow - 1) + 1, sw)
            grad_xp[:, :, rows, cols] += np.einsum("noij,oc->ncij", g, weight[:, :, k, l])
    h, w = xp.shape[2] - 2 * ph, xp.shape[3] - 2 * pw
    grad_x = grad_xp[:, :, ph : ph + h, pw : pw + w]
    return np.ascontiguousarray(grad_x), grad_weight, grad_bias


def torch_reference(x, weight, bias, *, stride=1, padding=0, dilation=1):
    import torch.nn.functional as F

    return F.conv2d(x, weight, bias, stride=stride, padding=padding, dilation=dilation)


CASES = [
    Case(rand_normal(1, 1, 5, 5), rand_normal(1, 1, 3, 3), rand_normal(1)),
    Case(rand_normal(2, 1, 4, 4), rand_normal(2, 1, 3, 3), rand_normal(2)),  # batch 2, C ≠ O
    Case(rand_normal(1, 2, 5, 5), rand_normal(1, 2, 3, 3), rand_normal(1), stride=2),
    Case(rand_normal(1, 1, 4, 4), rand_normal(2, 1, 3, 3), rand_normal(2), padding=1),
    Case(rand_normal(1, 1, 3, 3), rand_normal(1, 1, 3, 3), rand_normal(1), padding=2),
    Case(rand_normal(1, 1, 5, 5), rand_normal(1, 1, 2, 2), rand_normal(1), dilation=2),
    # non-square kernel on a non-square input: an h/w swap shows
    Case(rand_normal(1, 1, 5, 6), rand_normal(2, 1, 2, 3), rand_normal(2)),
    # pair-valued hyperparameters, a stride that skips the last row
    Case(rand_normal(1, 1, 6, 5), rand_normal(1, 1, 3, 2), rand_normal(1), stride=(2, 1)),
    Case(
        rand_normal(1, 1, 4, 5),
        rand_normal(1, 1, 3, 3),
        rand_normal(1),
        stride=(1, 2),
        padding=(1, 0),
        dilation=(1, 2),
    ),
    Case(
        rand_normal(2, 3, 9, 8),
        rand_normal(4, 3, 3, 4),
        rand_normal(4),
        stride=(2, 1),
        padding=(1, 2),
        dilation=(2, 1),
        symbolic=False,
    ),
    Case(
        rand_normal(2, 4, 6, 6), rand_normal(5, 4, 3, 3), rand_normal(5), padding=1, symbolic=False
    ),
]
