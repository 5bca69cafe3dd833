"""Softmax along an axis, as ``torch.softmax``: y_i = exp(x_i) / Σ_k exp(x_k).

The maximum is subtracted first so that exp never overflows.  Backward, with g = ∂L/∂y::

    ∂L/∂x_j = Σ_i g_i y_i (δ_ij - y_j) = y_j (g_j - Σ_i g_i y_i)
"""

import numpy as np

from gradcheck.cases import Case, rand_normal


def forward(x: np.ndarray, *, axis: int = -1):
    y = x - x.max(axis=axis, keepdims=True)
    np.exp(y, out=y)  # in place: one buffer, three passes
    y /= y.sum(axis=axis, keepdims=True)
    return y, (y, axis)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray]:
    y, axis = cache
    # Σ_i g_i y_i as a dot product along the axis: no product array, one pass fewer
    dot = np.expand_dims(np.vecdot(grad_output, y, axis=axis), axis)
    grad = np.subtract(grad_output, dot)
    grad *= y
    return (grad,)


def torch_reference(x, *, axis=-1):
    import torch

    return torch.softmax(x, dim=axis)


CASES = [
    Case(rand_normal(3, 5), axis=-1),
    Case(rand_normal(1, 4), axis=-1),
    Case(rand_normal(3, 4), axis=0),
    Case(rand_normal(2, 3, 2), axis=1),
    Case(rand_normal(2, 3, scale=30.0), axis=-1, name="2x3-large-logits"),
    Case(rand_normal(16, 40), axis=-1, symbolic=False),
]

# Realistic size for benchmarks/ (never checked): ImageNet-sized logits for a batch of 256.
BENCHMARK = Case(rand_normal(256, 1000), axis=-1, symbolic=False)
