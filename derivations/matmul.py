"""Matrix product, element-wise: y[n,i,k] = Σ_j a[n,i,j] b[n,j,k], n the (folded) batch.

Closed index form on the broadcast operands (every batch entry its own copy)::

    ∂y[n,i,k]/∂a[m,l,j] = δ(n,m) δ(i,l) b[n,j,k]
    ∂y[n,i,k]/∂b[m,j,l] = δ(n,m) δ(k,l) a[n,i,j]

Broadcasting reads one operand element in several batch entries, so its derivative is the sum
of these blocks over its copies (chain rule through ``np.broadcast_to``).  1-D operands are
promoted to a row (a) or a column (b) first, and the unit axes dropped afterwards.
"""

from math import prod

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, indices, sizes

n, m, i, j, k, l = indices("n m i j k l")
a, b, y = sp.IndexedBase("a"), sp.IndexedBase("b"), sp.IndexedBase("y")

FORMULAS = {
    "a": Formula(y[n, i, k], a[m, l, j], delta(n, m) * delta(i, l) * b[n, j, k]),
    "b": Formula(y[n, i, k], b[m, j, l], delta(n, m) * delta(k, l) * a[n, i, j]),
}


N, I, J, K = sizes("N I J K")
# The forward over a batch of N products (I x J)(J x K), for the proof at every size
INDEX_FORWARD = IndexForward(
    {y[n, i, k]: sp.Sum(a[n, i, j] * b[n, j, k], (j, 0, J - 1))},
    {"a": (N, I, J), "b": (N, J, K), "y": (N, I, K)},
)


def expressions(a, b):
    return np.asarray(np.matmul(a, b), dtype=object)


def _collect(block: np.ndarray, out_ndim: int, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a block taken w.r.t. the broadcast operand over the copies of each element."""
    extra = block.ndim - out_ndim - len(shape)
    block = block.sum(axis=tuple(range(out_ndim, out_ndim + extra)))
    stretched = tuple(
        out_ndim + q for q, size in enumerate(shape) if size == 1 and block.shape[out_ndim + q] > 1
    )
    return block.sum(axis=stretched, keepdims=True)


def jacobian(a, b):
    a2 = a.reshape((1,) + a.shape) if a.ndim == 1 else a
    b2 = b.reshape(b.shape + (1,)) if b.ndim == 1 else b
    batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    full_a = np.broadcast_to(a2, batch + a2.shape[-2:])
    full_b = np.broadcast_to(b2, batch + b2.shape[-2:])
    # The formula indexes one batch axis: fold the batch (or add one when there is none).
    flat_a = full_a.reshape((prod(batch),) + a2.shape[-2:])
    flat_b = full_b.reshape((prod(batch),) + b2.shape[-2:])
    out = batch + (a2.shape[-2], b2.shape[-1])
    arrays = {"a": flat_a, "b": flat_b}
    # np.matmul drops the unit axes of promoted 1-D operands from y.
    y_shape = batch + a.shape[-2:-1] + (b.shape[-1:] if b.ndim > 1 else ())
    blocks = []
    for name, flat, full, operand, original in (
        ("a", flat_a, full_a, a2, a),
        ("b", flat_b, full_b, b2, b),
    ):
        block = FORMULAS[name].evaluate(arrays, (prod(batch),) + out[-2:], flat.shape)
        block = _collect(block.reshape(out + full.shape), len(out), operand.shape)
        blocks.append(block.reshape(y_shape + original.shape))
    return tuple(blocks)
