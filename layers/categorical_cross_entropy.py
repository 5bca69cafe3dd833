"""Categorical cross-entropy of probabilities against one-hot or soft targets.

    L = -(1/N) Σ_b Σ_k t[b,k] log p[b,k]          p, t: (..., C)

The sum runs over the last (class) axis and the mean over every leading axis: N is the number
of rows, not of elements.  PyTorch has no function of this name; the reference is the same
expression written in torch.  Backward, with g = ∂L/∂L (a scalar)::

    ∂L/∂p[b,k] = -g t[b,k] / (N p[b,k])

p is not renormalised: the gradient is taken in all C directions, as autograd takes it.
"""

import numpy as np

from gradcheck.cases import Case, Draw, rand_probabilities


def rand_one_hot(*shape: int) -> Draw:
    """One-hot rows along the last axis: hard class targets."""

    def sample(rng: np.random.Generator, s: tuple[int, ...]) -> np.ndarray:
        return np.eye(s[-1])[rng.integers(0, s[-1], s[:-1])]

    return Draw("one_hot", shape, sample)


def forward(probs: np.ndarray, *, target: np.ndarray):
    target = np.asarray(target, dtype=probs.dtype)
    rows = probs.size // probs.shape[-1]
    terms = np.log(probs)
    terms *= target
    loss = -terms.sum() / rows  # NumPy's pairwise sum: float32 keeps its digits over 1e5 terms
    return loss, (probs, target, rows)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray]:
    probs, target, rows = cache
    grad = -(grad_output / rows) * target
    grad /= probs
    return (grad,)


def torch_reference(probs, *, target):
    import torch

    target = torch.as_tensor(target, dtype=probs.dtype)
    return -(target * torch.log(probs)).sum(dim=-1).mean()


CASES = [
    Case(rand_probabilities(4, 5), target=rand_probabilities(4, 5), name="4x5-soft"),
    Case(rand_probabilities(4, 5), target=rand_one_hot(4, 5), name="4x5-one-hot"),
    Case(rand_probabilities(1, 6), target=rand_one_hot(1, 6), name="1x6-one-hot"),
    # two leading axes: N = 2·3 rows, not 2 and not 2·3·4 elements
    Case(rand_probabilities(2, 3, 4), target=rand_probabilities(2, 3, 4), name="2x3x4-soft"),
    Case(rand_probabilities(3, 2), target=rand_one_hot(3, 2), name="3x2-one-hot"),
    Case(
        rand_probabilities(64, 10),
        target=rand_probabilities(64, 10),
        symbolic=False,
        name="64x10-soft",
    ),
    Case(
        rand_probabilities(8, 16, 10),
        target=rand_one_hot(8, 16, 10),
        symbolic=False,
        name="8x16x10-one-hot",
    ),
]

# Realistic size for benchmarks/ (never checked): ImageNet-sized class probabilities, batch 256.
BENCHMARK = Case(
    rand_probabilities(256, 1000), target=rand_probabilities(256, 1000), symbolic=False
)
