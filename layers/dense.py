"""Dense (fully connected) layer, as ``torch.nn.functional.linear``.

    y = x Wᵀ + b,   x: (..., in),  W: (out, in),  b: (out,)

Backward, with g = ∂L/∂y and the batch axes summed::

    ∂L/∂x = g W,    ∂L/∂W = Σ_batch gᵀ x,    ∂L/∂b = Σ_batch g
"""

import numpy as np

from gradcheck.cases import Case, rand_normal


def forward(x: np.ndarray, weight: np.ndarray, bias: np.ndarray):
    # With a 2-D weight, the product itself refuses x without `in` features and the addition
    # a bias that does not broadcast: catching their errors costs nothing when shapes fit,
    # where comparing shape tuples up front measurably slowed small calls.
    if weight.ndim != 2:
        raise ValueError(_shape_mismatch(x, weight, bias))
    try:
        y = x @ weight.T
        y += bias  # in place: no second output-sized array
    except ValueError:
        raise ValueError(_shape_mismatch(x, weight, bias)) from None
    return y, (x, weight)


def _shape_mismatch(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> str:
    if weight.ndim != 2:
        return f"dense: weight has shape {weight.shape}; it must be 2-D, (out, in)"
    if x.ndim == 0:
        return f"dense: x is a scalar; it must be (..., in) with in = {weight.shape[1]}"
    if x.shape[-1] != weight.shape[1]:
        n = x.shape[-1]
        return (
            f"dense: x has {n} features in its last axis but weight is {weight.shape}: "
            f"weight must be (out, in) with in = {n}"
        )
    out = weight.shape[0]
    return (
        f"dense: bias has shape {np.shape(bias)} but weight is {weight.shape}: it must be ({out},)"
    )


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, weight = cache
    g = grad_output.reshape(-1, weight.shape[0])
    grad_weight = g.T @ x.reshape(-1, weight.shape[1])
    return grad_output @ weight, grad_weight, g.sum(axis=0)


def torch_reference(x, weight, bias):
    import torch.nn.functional as F

    return F.linear(x, weight, bias)


CASES = [
    Case(rand_normal(2, 3), rand_normal(4, 3), rand_normal(4)),
    Case(rand_normal(1, 5), rand_normal(3, 5), rand_normal(3)),
    Case(rand_normal(3, 3), rand_normal(3, 3), rand_normal(3)),  # square W: a transpose shows
    Case(rand_normal(2, 2, 3), rand_normal(2, 3), rand_normal(2)),  # extra batch axis
    Case(rand_normal(16, 32), rand_normal(24, 32), rand_normal(24), symbolic=False),
]

# Realistic size for benchmarks/ (never checked): batch 256, 1024 -> 1024 features.
BENCHMARK = Case(rand_normal(256, 1024), rand_normal(1024, 1024), rand_normal(1024), symbolic=False)
