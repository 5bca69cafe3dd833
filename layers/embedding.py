"""Embedding lookup, as ``torch.nn.functional.embedding(indices, weight)``.

weight is (num_embeddings, dim); indices is an integer array of any shape (a keyword: it is
not differentiated).  Each output row is a copy of the weight row it names::

    y[..., :] = weight[indices[...], :]
    ∂L/∂weight[r, :] = Σ_{positions p with indices[p] = r} g[p, :]

A row named several times collects the sum of all its output gradients (scatter-add); a row
never named gets zero.
"""

import numpy as np

from gradcheck.cases import Case, Draw, rand_int, rand_normal


def forward(weight: np.ndarray, *, indices: np.ndarray):
    indices = np.asarray(indices)
    if weight.ndim != 2:
        raise ValueError(f"embedding needs weight (num_embeddings, dim), got {weight.shape}")
    if indices.dtype.kind not in "iu":
        raise ValueError(f"embedding indices must be integers, got {indices.dtype}")
    if indices.size and not (0 <= indices.min() and indices.max() < weight.shape[0]):
        # numpy would wrap negative indices silently; torch refuses them.
        raise ValueError(
            f"embedding indices must lie in [0, {weight.shape[0]}), "
            f"got [{indices.min()}, {indices.max()}]"
        )
    return weight[indices], (indices, weight.shape)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray]:
    indices, shape = cache
    grad = np.zeros(shape, dtype=grad_output.dtype)
    # add.at, not grad[indices] += g: fancy-index assignment keeps one of the repeated rows.
    # On flat element positions (row · dim + column): NumPy's 1-D add.at is several times
    # faster than the row-wise 2-D one, and sums in the same order.
    positions = (indices.reshape(-1, 1) * shape[1] + np.arange(shape[1])).reshape(-1)
    np.add.at(grad.reshape(-1), positions, grad_output.reshape(-1))
    return (grad,)


def torch_reference(weight, *, indices):
    import torch
    import torch.nn.functional as F

    return F.embedding(torch.as_tensor(indices), weight)


def repeated_indices(high: int, *shape: int) -> Draw:
    """Integers in [0, high) with at least one index repeated and at least one row unused."""

    def sample(rng: np.random.Generator, s: tuple[int, ...]) -> np.ndarray:
        rows = rng.permutation(high)[1:]  # the first row of the permutation is never used
        flat = rng.choice(rows, int(np.prod(s)))
        flat[1] = flat[0]
        return rng.permutation(flat).reshape(s)

    return Draw("int_repeated", shape, sample)


CASES = [
    Case(rand_normal(5, 3), indices=repeated_indices(5, 6), name="5x3-idx6"),
    Case(rand_normal(4, 2), indices=repeated_indices(4, 2, 3), name="4x2-idx2x3"),
    Case(rand_normal(6, 2), indices=repeated_indices(6, 2, 2, 2), name="6x2-idx2x2x2"),
    # every position names row 1: it collects all five gradients, rows 0 and 2 get none
    Case(
        rand_normal(3, 2), indices=Draw("int", (5,), lambda rng, s: np.full(s, 1)), name="3x2-all1"
    ),
    Case(rand_normal(4, 3), indices=rand_int(4), name="4x3-scalar-index"),
    Case(
        rand_normal(100, 16),
        indices=repeated_indices(100, 32, 20),
        symbolic=False,
        name="100x16-idx32x20",
    ),
]

# Realistic size for benchmarks/ (never checked): a 10000-word vocabulary of 256-wide vectors,
# looked up for 32 sequences of 64 tokens.
BENCHMARK = Case(rand_normal(10000, 256), indices=rand_int(10000, 32, 64), symbolic=False)
