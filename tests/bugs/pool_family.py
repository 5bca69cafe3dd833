"""Pooling bugs: assignment where overlapping windows must accumulate, wrong divisors and axes.

The wrong backwards loop over windows from the inputs and hyperparameters (student style, see
:func:`keeping_inputs`), never reading the registered layers' private caches.
"""

import numpy as np

import layers.avg_pool2d
import layers.max_pool2d
from gradcheck.cases import rand_distinct, rand_normal

from .spec import backward_bug, draw


def _pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def _geometry(grad_output, hyper):
    """(kh, kw), (ph, pw) and each output (i, j) with its window's top-left corner in the padded
    input."""
    kernel = _pair(hyper["kernel_size"])
    stride = _pair(hyper.get("stride") or hyper["kernel_size"])
    padding = _pair(hyper.get("padding", 0))
    corners = [
        (i, j, i * stride[0], j * stride[1])
        for i in range(grad_output.shape[2])
        for j in range(grad_output.shape[3])
    ]
    return kernel, padding, corners


def max_pool_assigns(grad_output, cache):
    """Max-pool backward with dx[window] = mask * g: overlapping windows overwrite each other."""
    (x,), hyper, _ = cache
    (kh, kw), (ph, pw), corners = _geometry(grad_output, hyper)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    grad_xp = np.zeros_like(xp)
    for i, j, top, left in corners:
        window = xp[:, :, top : top + kh, left : left + kw]
        mask = window == window.max(axis=(2, 3), keepdims=True)
        grad_xp[:, :, top : top + kh, left : left + kw] = mask * grad_output[:, :, i, j, None, None]
    return (grad_xp[:, :, ph : ph + x.shape[2], pw : pw + x.shape[3]].copy(),)


def avg_pool_assigns(grad_output, cache):
    """Avg-pool backward with dx[window] = g / k²: overlapping windows overwrite each other."""
    (x,), hyper, _ = cache
    (kh, kw), (ph, pw), corners = _geometry(grad_output, hyper)
    grad_xp = np.zeros((x.shape[0], x.shape[1], x.shape[2] + 2 * ph, x.shape[3] + 2 * pw))
    for i, j, top, left in corners:
        grad_xp[:, :, top : top + kh, left : left + kw] = grad_output[:, :, i, j, None, None] / (
            kh * kw
        )
    return (grad_xp[:, :, ph : ph + x.shape[2], pw : pw + x.shape[3]].copy(),)


def avg_pool_divisor_without_padding(grad_output, cache):
    """Avg-pool backward dividing by each window's unpadded cells; the forward counts padding."""
    (x,), hyper, _ = cache
    (kh, kw), (ph, pw), corners = _geometry(grad_output, hyper)
    h, w = x.shape[2:]
    grad_xp = np.zeros((x.shape[0], x.shape[1], h + 2 * ph, w + 2 * pw))
    for i, j, top, left in corners:
        inside = (min(top + kh, ph + h) - max(top, ph)) * (min(left + kw, pw + w) - max(left, pw))
        grad_xp[:, :, top : top + kh, left : left + kw] += (
            grad_output[:, :, i, j, None, None] / inside
        )
    return (grad_xp[:, :, ph : ph + h, pw : pw + w].copy(),)


def avg_pool_kernel_unpacked_as_width_height(grad_output, cache):
    """Avg-pool backward unpacking the kernel as kw, kh = kernel_size: wrong non-square windows."""
    (x,), hyper, _ = cache
    (kw, kh), (ph, pw), corners = _geometry(grad_output, hyper)
    grad_xp = np.zeros((x.shape[0], x.shape[1], x.shape[2] + 2 * ph, x.shape[3] + 2 * pw))
    for i, j, top, left in corners:
        grad_xp[:, :, top : top + kh, left : left + kw] += grad_output[:, :, i, j, None, None] / (
            kh * kw
        )
    return (grad_xp[:, :, ph : ph + x.shape[2], pw : pw + x.shape[3]].copy(),)


def max_pool_last_maximum(grad_output, cache):
    """Max-pool backward through a reversed argmax: at a tie the gradient goes to the last
    maximum of the window, where torch (and the derivation) send it to the first."""
    (x,), hyper, _ = cache
    (kh, kw), (ph, pw), corners = _geometry(grad_output, hyper)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    grad_xp = np.zeros_like(xp)
    for i, j, top, left in corners:
        window = xp[:, :, top : top + kh, left : left + kw].reshape(*x.shape[:2], -1)
        last = window.shape[-1] - 1 - np.argmax(window[..., ::-1], axis=-1)
        for n in range(x.shape[0]):
            for c in range(x.shape[1]):
                a, b = divmod(int(last[n, c]), kw)
                grad_xp[n, c, top + a, left + b] += grad_output[n, c, i, j]
    return (grad_xp[:, :, ph : ph + x.shape[2], pw : pw + x.shape[3]].copy(),)


def _ties(*shape: int) -> np.ndarray:
    """Values from {0, 1, 2}: windows with several maxima (kinks: only the convention tells)."""
    return np.random.default_rng(0).integers(0, 3, shape).astype(float)


def _shared_maximum() -> np.ndarray:
    """Distinct values with the largest at (1, 2), inside all six 3x3 windows of a 4x5 input."""
    x = draw(rand_distinct(1, 1, 4, 5))
    top = np.unravel_index(np.argmax(x), x.shape)
    x[top], x[0, 0, 1, 2] = x[0, 0, 1, 2], x[top]
    return x


BUGS = [
    backward_bug(
        "max-pool-tie-to-last-maximum",
        layers.max_pool2d,
        max_pool_last_maximum,
        (_ties(1, 1, 4, 4),),
        {"kernel_size": 2, "stride": 1},
        blind_spot=((draw(rand_distinct(1, 1, 4, 4)),), {"kernel_size": 2, "stride": 1}),
        subtle=True,  # ties are kinks: finite differences skip them, only SymPy's convention tells
    ),
    backward_bug(
        "max-pool-overlapping-windows-assign-not-accumulate",
        layers.max_pool2d,
        max_pool_assigns,
        (_shared_maximum(),),
        {"kernel_size": 3, "stride": 1},
        blind_spot=((draw(rand_distinct(1, 2, 4, 4)),), {"kernel_size": 2}),
    ),
    backward_bug(
        "avg-pool-overlapping-windows-assign-not-accumulate",
        layers.avg_pool2d,
        avg_pool_assigns,
        (draw(rand_normal(1, 1, 5, 5)),),
        {"kernel_size": 3, "stride": 2},
        blind_spot=((draw(rand_normal(2, 1, 4, 4)),), {"kernel_size": 2, "stride": 2}),
    ),
    backward_bug(
        "avg-pool-divisor-ignores-padding",
        layers.avg_pool2d,
        avg_pool_divisor_without_padding,
        (draw(rand_normal(1, 1, 4, 4)),),
        {"kernel_size": 3, "stride": 2, "padding": 1},
        blind_spot=((draw(rand_normal(1, 1, 5, 5)),), {"kernel_size": 3, "stride": 2}),
    ),
    backward_bug(
        "avg-pool-kernel-height-width-swapped",
        layers.avg_pool2d,
        avg_pool_kernel_unpacked_as_width_height,
        (draw(rand_normal(1, 1, 7, 7)),),
        {"kernel_size": (2, 3), "stride": 2},
        blind_spot=((draw(rand_normal(1, 1, 5, 5)),), {"kernel_size": 3, "stride": 2}),
    ),
]
