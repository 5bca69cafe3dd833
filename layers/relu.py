"""Rectified linear unit, as ``torch.relu``: y = max(x, 0), with ∂y/∂x = 1[x > 0] (0 at x = 0)."""

import numpy as np

from gradcheck.cases import Case, Draw, rand_away_from_zero


def _with_zeros(*shape: int) -> Draw:
    """Away from zero, but every other element exactly 0: the convention at the kink."""

    def sample(rng, s):
        x = rng.uniform(0.05, 1.05, s) * rng.choice([-1.0, 1.0], s)
        x.reshape(-1)[::2] = 0.0
        return x

    return Draw("zeros_at_kink", shape, sample)


def forward(x: np.ndarray):
    # maximum against an array, not np.where or a scalar 0: where branches on every element
    # (~10x slower on random signs) and maximum(x, 0) misses NumPy's SIMD loop.
    y = np.zeros_like(x)
    np.maximum(x, y, out=y)
    return y, x > 0


def backward(grad_output: np.ndarray, positive: np.ndarray) -> tuple[np.ndarray]:
    return (grad_output * positive,)


def torch_reference(x):
    import torch

    return torch.relu(x)


CASES = [
    Case(rand_away_from_zero(2, 3)),
    Case(rand_away_from_zero(1, 7)),
    Case(rand_away_from_zero(2, 3, 4)),
    Case(_with_zeros(2, 3), at_kink=True, name="2x3-zeros-at-kink"),
    Case(rand_away_from_zero(64, 33), symbolic=False),
]

# Realistic size for benchmarks/ (never checked): a transformer MLP's hidden activations,
# 256 tokens x 4096 features.
BENCHMARK = Case(rand_away_from_zero(256, 4096), symbolic=False)
