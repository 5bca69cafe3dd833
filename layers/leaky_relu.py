"""Leaky ReLU, as ``torch.nn.functional.leaky_relu``.

    y = x            if x > 0
    y = α x          otherwise                        (α = negative_slope)

Backward, with g = ∂L/∂y and PyTorch's convention at the kink (slope α at x = 0)::

    ∂L/∂x = g · (1 if x > 0 else α)
"""

import numpy as np

from gradcheck.cases import Case, Draw, rand_away_from_zero


def forward(x: np.ndarray, *, negative_slope: float = 0.01):
    # The slope, exactly 1 or α (1·[x > 0] + α·[x ≤ 0], one term always 0), serves both
    # passes: y = x · slope is x or α x exactly, and no np.where, which branches per element.
    slope = np.multiply(x <= 0, negative_slope, dtype=x.dtype)
    slope += x > 0
    return x * slope, slope


def backward(grad_output: np.ndarray, slope: np.ndarray) -> tuple[np.ndarray]:
    return (grad_output * slope,)


def torch_reference(x, *, negative_slope=0.01):
    import torch.nn.functional as F

    return F.leaky_relu(x, negative_slope=negative_slope)


def _with_zeros(*shape: int) -> Draw:
    """Away from zero, except every third element exactly 0: tests the convention at the kink."""

    def sample(rng: np.random.Generator, s: tuple[int, ...]) -> np.ndarray:
        values = rng.choice([-1.0, 1.0], s) * rng.uniform(0.05, 1.05, s)
        values.reshape(-1)[::3] = 0.0
        return values

    return Draw("away_from_zero_or_zero", shape, sample)


CASES = [
    Case(rand_away_from_zero(2, 3)),
    Case(rand_away_from_zero(3, 4), negative_slope=0.2),
    Case(rand_away_from_zero(1, 7)),  # batch 1
    Case(rand_away_from_zero(3, 1, 5)),  # odd shape, extra axis
    # a slope above 1 makes a swapped where() visible even when the positive branch is right
    Case(rand_away_from_zero(2, 5), negative_slope=1.5),
    # x == 0 exactly: finite differences see a kink there; backward and SymPy must both say α
    Case(_with_zeros(2, 3), negative_slope=0.2, at_kink=True, name="2x3-zeros-at-kink"),
    Case(rand_away_from_zero(64, 33), negative_slope=0.2, symbolic=False),
]

# Realistic size for benchmarks/ (never checked): a transformer MLP's hidden activations.
BENCHMARK = Case(rand_away_from_zero(256, 4096), negative_slope=0.01, symbolic=False)
