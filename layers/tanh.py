"""Hyperbolic tangent, as ``torch.tanh``: y = tanh(x).

Backward from the saved output, with g = ∂L/∂y::

    ∂L/∂x = g · (1 - y²) = g · (1 - |y|) (1 + |y|)

1 - |y| = 2m / (1 + m), m = exp(-2|x|), is saved from the forward: as 1.0 - y² it would lose
every digit once |y| rounds to 1 (|x| ≳ 19) and most of them well before.
"""

import numpy as np

from gradcheck.cases import Case, rand_normal


def forward(x: np.ndarray):
    y = np.tanh(x)
    m = np.exp(-2.0 * np.abs(x))
    return y, (y, 2.0 * m / (1.0 + m))


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray]:
    y, gap = cache
    return (grad_output * gap * (1.0 + np.abs(y)),)


def torch_reference(x):
    import torch.nn.functional as F

    return F.tanh(x)


CASES = [
    Case(rand_normal(2, 3)),
    Case(rand_normal(1, 6)),
    Case(rand_normal(2, 3, 2)),  # 3-D input
    # |x| up to ~10: 1 - y² shrinks to ~1e-8 and must not go negative or lose its sign
    Case(rand_normal(3, 4, scale=4.0), name="3x4-scale4"),
    Case(rand_normal(64, 33, scale=3.0), symbolic=False),
]
