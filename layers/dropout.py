"""Inverted dropout with a given mask, as ``x * mask / (1 - p)`` (``F.dropout`` in training).

The mask is a keyword (a boolean array shaped like x, True where the value is kept), so the
layer is a deterministic function of x and can be checked; drawing it is the caller's job::

    y = x · mask / (1 - p),      ∂L/∂x = g · mask / (1 - p)

(mask / (1 - p) is formed once and multiplied: within an ulp of dividing each product.)

Kept values are scaled up so that E[y] = x when mask ~ Bernoulli(1 - p).
"""

import numpy as np

from gradcheck.cases import Case, Draw, rand_mask, rand_normal


def _check(shape: tuple[int, ...], mask: np.ndarray, p: float) -> None:
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout needs 0 <= p < 1, got p={p}")
    if mask.dtype != np.bool_ or mask.shape != shape:
        raise ValueError(
            f"dropout needs a boolean mask shaped like x {shape}, got {mask.dtype} {mask.shape}"
        )


def forward(x: np.ndarray, *, mask: np.ndarray, p: float):
    mask = np.asarray(mask)
    _check(x.shape, mask, p)
    # mask / (1 - p) once, in x's dtype: both passes are then one multiply each
    factor = np.divide(mask, 1 - p, dtype=x.dtype)
    return x * factor, factor


def backward(grad_output: np.ndarray, factor: np.ndarray) -> tuple[np.ndarray]:
    return (grad_output * factor,)


def torch_reference(x, *, mask, p):
    import torch

    # F.dropout draws its own mask; this is its training-mode formula with ours.
    return x * torch.as_tensor(mask) / (1 - p)


def mixed_mask(*shape: int, keep: float) -> Draw:
    """Booleans, True with probability ``keep``, with at least one kept and one dropped value."""

    def sample(rng: np.random.Generator, s: tuple[int, ...]) -> np.ndarray:
        mask = (rng.random(s) < keep).reshape(-1)
        kept, dropped = rng.choice(mask.size, 2, replace=False)
        mask[kept], mask[dropped] = True, False
        return mask.reshape(s)

    return Draw("mask", shape, sample)


CASES = [
    Case(rand_normal(4, 4), mask=mixed_mask(4, 4, keep=0.5), p=0.5),
    Case(rand_normal(3, 5), mask=mixed_mask(3, 5, keep=0.9), p=0.1),
    Case(rand_normal(2, 3, 4), mask=mixed_mask(2, 3, 4, keep=0.7), p=0.3),
    Case(rand_normal(2, 3), mask=rand_mask(2, 3, keep=1.0), p=0.0, name="2x3-p0-identity"),
    Case(rand_normal(64, 50), mask=mixed_mask(64, 50, keep=0.8), p=0.2, symbolic=False),
]

# Realistic size for benchmarks/ (never checked): a transformer MLP's hidden activations, p = 0.1.
BENCHMARK = Case(rand_normal(256, 4096), mask=rand_mask(256, 4096, keep=0.9), p=0.1, symbolic=False)
