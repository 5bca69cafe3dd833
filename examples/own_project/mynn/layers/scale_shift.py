"""Per-feature scale and shift: ``y[b, i] = x[b, i] w[i] + s[i]``, x (..., D), w and s (D,).

Backward, with g = ∂L/∂y::

    ∂L/∂x = g w,   ∂L/∂w = Σ_batch g x,   ∂L/∂s = Σ_batch g
"""

import numpy as np

from gradcheck import Case, rand_normal


def forward(x: np.ndarray, weight: np.ndarray, shift: np.ndarray):
    return x * weight + shift, (x, weight)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, weight = cache
    batch = tuple(range(grad_output.ndim - 1))  # every axis but the features
    return grad_output * weight, (grad_output * x).sum(axis=batch), grad_output.sum(axis=batch)


CASES = [
    Case(rand_normal(3, 4), rand_normal(4), rand_normal(4)),
    Case(rand_normal(2, 3, 5), rand_normal(5), rand_normal(5)),
    Case(rand_normal(64, 33), rand_normal(33), rand_normal(33), symbolic=False),
]
