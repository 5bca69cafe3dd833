"""Hyperbolic tangent, as ``torch.tanh``: y = tanh(x).

Backward from the slope saved by the forward, with g = ∂L/∂y::

    ∂L/∂x = g · (1 - y²),    1 - y² = 4m / (1 + m)²,   m = exp(-2|x|) ≤ 1

The slope comes from m, not from y: as 1.0 - y² it would lose every digit once |y| rounds to 1
(|x| ≳ 19) and most of them well before.
"""

import numpy as np

from gradcheck.cases import Case, rand_normal


def forward(x: np.ndarray):
    m = np.abs(x)
    m *= -2.0
    np.exp(m, out=m)
    denominator = m + 1.0
    denominator *= denominator
    m *= 4.0
    m /= denominator  # now the slope 1 - y², in place: one buffer, no temporaries
    return np.tanh(x), m


def backward(grad_output: np.ndarray, slope: np.ndarray) -> tuple[np.ndarray]:
    return (grad_output * slope,)


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

# Realistic size for benchmarks/ (never checked): a transformer MLP's hidden activations.
BENCHMARK = Case(rand_normal(256, 4096), symbolic=False)
