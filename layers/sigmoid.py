"""Logistic sigmoid, as ``torch.sigmoid``: y = 1 / (1 + exp(-x)).

Written with e = exp(-|x|) ≤ 1 so that exp never overflows::

    y = 1 / (1 + e)   for x ≥ 0,        y = e / (1 + e)   for x < 0

Backward from the saved output, with g = ∂L/∂y::

    ∂L/∂x = g · y (1 - y)
"""

import numpy as np

from gradcheck.cases import Case, rand_normal


def forward(x: np.ndarray):
    e = np.exp(-np.abs(x))
    y = np.where(x >= 0, 1.0, e) / (1.0 + e)
    return y, y


def backward(grad_output: np.ndarray, y: np.ndarray) -> tuple[np.ndarray]:
    return (grad_output * y * (1.0 - y),)


def torch_reference(x):
    import torch.nn.functional as F

    return F.sigmoid(x)


CASES = [
    Case(rand_normal(2, 3)),
    Case(rand_normal(1, 6)),
    Case(rand_normal(2, 3, 2)),  # 3-D input
    # |x| up to ~10: a naive exp(-x) overflows far beyond, here y(1 - y) is already ~1e-4
    Case(rand_normal(3, 4, scale=4.0), name="3x4-scale4"),
    Case(rand_normal(2, 3, scale=15.0), name="2x3-scale15"),  # y(1 - y) down to ~1e-13
    Case(rand_normal(64, 33, scale=3.0), symbolic=False),
]
