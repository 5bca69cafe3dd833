"""Log-softmax along an axis, as ``torch.nn.functional.log_softmax``.

    y_i = x_i - log Σ_k exp(x_k)

The maximum m is subtracted first, y_i = (x_i - m) - log Σ_k exp(x_k - m), so that exp never
overflows and the log never sees 0, even for logits of ±1000.  Backward, with g = ∂L/∂y and
p = exp(y) the softmax (saved by the forward, which has exp(x - m) at hand)::

    ∂L/∂x_j = Σ_i g_i (δ_ij - p_j) = g_j - p_j Σ_i g_i
"""

import numpy as np

from gradcheck.cases import Case, rand_normal


def forward(x: np.ndarray, *, axis: int = -1):
    y = x - x.max(axis=axis, keepdims=True)
    p = np.exp(y)
    total = p.sum(axis=axis, keepdims=True)
    y -= np.log(total)
    p /= total
    return y, (p, axis)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray]:
    p, axis = cache
    grad = p * grad_output.sum(axis=axis, keepdims=True)
    return (np.subtract(grad_output, grad, out=grad),)


def torch_reference(x, *, axis=-1):
    import torch.nn.functional as F

    return F.log_softmax(x, dim=axis)


CASES = [
    Case(rand_normal(3, 5), axis=-1),
    Case(rand_normal(1, 4), axis=-1),
    Case(rand_normal(3, 4), axis=0),  # a sum along the wrong axis shows here
    Case(rand_normal(2, 3, 2), axis=1),  # the axis in the middle
    # unshifted, exp overflows at +1000 and log(0) = -inf at -1000
    Case(rand_normal(2, 4, offset=1000.0), axis=-1, name="2x4-logits+1000"),
    Case(rand_normal(3, 2, offset=-1000.0), axis=0, name="3x2-logits-1000-axis0"),
    Case(rand_normal(16, 40), axis=-1, symbolic=False),
    Case(rand_normal(4, 30, 5, scale=3.0), axis=1, symbolic=False),
]

# Realistic size for benchmarks/ (never checked): ImageNet-sized logits for a batch of 256.
BENCHMARK = Case(rand_normal(256, 1000), axis=-1, symbolic=False)
