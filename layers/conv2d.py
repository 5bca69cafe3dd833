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

Each pass is one matrix product on the im2col matrix X (rows (c, k, l), columns (n, i, j)),
a copy of a strided view of x̃: y = W X, ∂L/∂W = G Xᵀ, and ∂L/∂X = Wᵀ G scattered back to x̃
one kernel offset at a time (col2im).  X is cached for ∂L/∂W: k_h k_w times the input's
memory, traded for a second copy in the backward pass.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from gradcheck.cases import Case, rand_normal

Pair = int | tuple[int, int]


def _pair(value: Pair) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _padded(x: np.ndarray, padding: tuple[int, int]) -> np.ndarray:
    (ph, pw) = padding
    if ph == pw == 0:
        return x
    n, c, h, w = x.shape
    xp = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=x.dtype)
    xp[:, :, ph : ph + h, pw : pw + w] = x
    return xp


def _columns(xp: np.ndarray, kernel, stride, dilation, out) -> np.ndarray:
    """im2col: the (C k_h k_w, N H_out W_out) matrix of receptive fields, one copy of a view.

    Channel-and-offset rows, batch-and-position columns: the copy reads runs along W, and the
    forward, the weight gradient and the input gradient are then one matrix product each.
    """
    (sn, sc, sh, sw) = xp.strides
    shape = (xp.shape[1], *kernel, xp.shape[0], *out)
    strides = (sc, sh * dilation[0], sw * dilation[1], sn, sh * stride[0], sw * stride[1])
    view = as_strided(xp, shape, strides, writeable=False)
    return view.reshape(shape[0] * kernel[0] * kernel[1], -1)


def _output_shape(x, weight, bias, stride, padding, dilation) -> tuple[int, int]:
    """(H_out, W_out), after checking the shapes fit together (a clear message, not NumPy's)."""
    if x.ndim != 4 or weight.ndim != 4 or bias.shape != weight.shape[:1]:
        raise ValueError(
            f"conv2d needs x (N, C, H, W), weight (O, C, k_h, k_w) and bias (O,); got x "
            f"{x.shape}, weight {weight.shape}, bias {bias.shape}"
        )
    if x.shape[1] != weight.shape[1]:
        raise ValueError(
            f"conv2d: x has {x.shape[1]} channels but weight expects {weight.shape[1]} "
            "(weight is (out_channels, in_channels, k_h, k_w))"
        )
    spans = [d * (k - 1) + 1 for k, d in zip(weight.shape[2:], dilation, strict=True)]
    out = tuple(
        (size + 2 * p - span) // s + 1
        for size, p, span, s in zip(x.shape[2:], padding, spans, stride, strict=True)
    )
    if min(out) < 1:
        raise ValueError(
            f"conv2d: the dilated kernel {weight.shape[2:]} does not fit the padded input "
            f"{x.shape[2:]}; add padding or use a smaller kernel or dilation"
        )
    return out


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
    out = _output_shape(x, weight, bias, stride, padding, dilation)
    n, o = x.shape[0], weight.shape[0]
    columns = _columns(_padded(x, padding), weight.shape[2:], stride, dilation, out)
    product = weight.reshape(o, -1) @ columns  # (O, N H_out W_out)
    # One pass moves O in front of N (NCHW) and adds the bias.
    y = np.empty((n, o, out[0] * out[1]), dtype=product.dtype)
    np.add(product.reshape(o, n, -1).transpose(1, 0, 2), bias[:, None], out=y)
    return y.reshape(n, o, *out), (columns, weight, x.shape, stride, padding, dilation)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    columns, weight, shape, stride, padding, dilation = cache
    n, c, h, w = shape
    o, _, kh, kw = weight.shape
    oh, ow = grad_output.shape[2:]
    (sh, sw), (dh, dw), (ph, pw) = stride, dilation, padding
    g = np.ascontiguousarray(grad_output.transpose(1, 0, 2, 3)).reshape(o, -1)
    # X Gᵀ, transposed after: OpenBLAS runs it ~2x faster than G Xᵀ at these shapes.
    grad_weight = np.ascontiguousarray((columns @ g.T).T).reshape(weight.shape)
    grad_bias = g.sum(axis=1)
    # col2im: row (c, k, l) of the columns' gradient goes back to the strided grid of padded
    # positions that kernel offset (k, l) read; offsets overlap, so they accumulate.
    grad_columns = (weight.reshape(o, -1).T @ g).reshape(c, kh, kw, n, oh, ow)
    grad_xp = np.zeros((c, n, h + 2 * ph, w + 2 * pw), dtype=grad_columns.dtype)
    for k in range(kh):
        rows = slice(k * dh, k * dh + sh * (oh - 1) + 1, sh)
        for l in range(kw):
            cols = slice(l * dw, l * dw + sw * (ow - 1) + 1, sw)
            grad_xp[:, :, rows, cols] += grad_columns[:, k, l]
    grad_x = grad_xp[:, :, ph : ph + h, pw : pw + w].transpose(1, 0, 2, 3)
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

# Realistic size for benchmarks/ (never checked): a 3x3 layer of a small CIFAR-sized network.
BENCHMARK = Case(
    rand_normal(16, 32, 32, 32),
    rand_normal(64, 32, 3, 3),
    rand_normal(64),
    padding=1,
    symbolic=False,
)
