"""Matrix product with NumPy/PyTorch broadcasting, as ``torch.matmul``.

    y[..., i, k] = Σ_j a[..., i, j] b[..., j, k]

Batch axes broadcast; a 1-D ``a`` is a row (a leading axis of 1, removed from y) and a 1-D ``b``
a column (a trailing axis of 1, removed from y).  Backward, with g = ∂L/∂y in the promoted shape::

    ∂L/∂a = g bᵀ,    ∂L/∂b = aᵀ g        (ᵀ swaps the last two axes)

each then summed over the batch axes that broadcasting created or stretched, so that every
gradient has its operand's shape: an operand used in several batch entries collects them all.
"""

import numpy as np

from gradcheck.cases import Case, rand_normal


def _promote(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both operands as ≥2-D matrices, as np.matmul treats 1-D operands."""
    return (a[np.newaxis, :] if a.ndim == 1 else a), (b[:, np.newaxis] if b.ndim == 1 else b)


def _sum_to(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Undo broadcasting: sum the axes that broadcasting prepended or stretched from 1."""
    if grad.ndim > len(shape):
        grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    stretched = tuple(k for k, n in enumerate(shape) if n == 1 and grad.shape[k] != 1)
    # sum(axis=()) would still copy: skip it when broadcasting stretched nothing
    return grad.sum(axis=stretched, keepdims=True) if stretched else grad


def forward(a: np.ndarray, b: np.ndarray):
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul needs operands with at least one axis; use * for scalars")
    return np.asarray(np.matmul(a, b)), (a, b)


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray]:
    a, b = cache
    a2, b2 = _promote(a, b)
    batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    # Reinsert the axes np.matmul removed for 1-D operands.
    g = np.reshape(grad_output, batch + (a2.shape[-2], b2.shape[-1]))
    grad_a = _sum_to(np.matmul(g, b2.swapaxes(-1, -2)), a2.shape)
    grad_b = _sum_to(np.matmul(a2.swapaxes(-1, -2), g), b2.shape)
    return grad_a.reshape(a.shape), grad_b.reshape(b.shape)


def torch_reference(a, b):
    import torch

    return torch.matmul(a, b)


CASES = [
    Case(rand_normal(2, 3), rand_normal(3, 4)),  # non-square: a missing transpose cannot fit
    Case(rand_normal(2, 2, 3), rand_normal(2, 3, 2)),
    Case(rand_normal(1, 2, 3), rand_normal(1, 3, 2), name="batch1"),
    Case(rand_normal(2, 1, 3, 4), rand_normal(3, 4, 2), name="2x1x3x4-bcast-3x4x2"),
    Case(rand_normal(1, 3, 4), rand_normal(2, 4, 5), name="1x3x4-bcast-2x4x5"),
    Case(rand_normal(2, 3, 4), rand_normal(4, 2), name="2x3x4-bcast-4x2"),
    Case(rand_normal(3), rand_normal(2, 3, 4), name="vector-3-bcast-2x3x4"),
    Case(rand_normal(2, 3, 4), rand_normal(4), name="2x3x4-vector-4"),
    Case(rand_normal(5), rand_normal(5), name="vector-dot"),
    Case(rand_normal(3, 1, 8, 16), rand_normal(4, 16, 6), symbolic=False),
]

# Realistic size for benchmarks/ (never checked): 16 products of 256x256 matrices.
BENCHMARK = Case(rand_normal(16, 256, 256), rand_normal(16, 256, 256), symbolic=False)
