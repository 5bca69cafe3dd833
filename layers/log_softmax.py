"""Log-softmax along an axis, as ``torch.nn.functional.log_softmax``.

    y_i = x_i - log Σ_k exp(x_k)

The maximum m is subtracted first, y_i = (x_i - m) - log Σ_k exp(x_k - m), so that exp never
overflows and the log never sees 0, even for logits of ±1000.  Backward, with g = ∂L/∂y and
p = exp(y) the softmax::

    ∂L/∂x_j = Σ_i g_i (δ_ij - p_j) = g_j - p_j Σ_i g_i
"""

import numpy as np

from gradcheck.cases import Case, rand_normal


def forward(x: np.ndarray, *, axis: int = -1):
    shifted = x - x.max(axis=axis, keepdims=True)
    y = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return y, (y, axis)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray]:
    y, axis = cache
    return (grad_output - np.exp(y) * grad_output.sum(axis=axis, keepdims=True),)


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
