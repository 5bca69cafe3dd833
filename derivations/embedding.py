"""Embedding lookup, element-wise: y[n,k] = W[t[n], k], n over the (folded) index positions.

Closed index form (t the integer indices, exact)::

    ∂y[n,k]/∂W[r,l] = δ(t[n], r) δ(k, l)

Summing this over n is the backward's scatter-add: a row named twice receives two gradients.
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, elementwise, sizes
from gradcheck.formula import indices as index_symbols

n, k, r, l = index_symbols("n k r l")
W, y, t = sp.IndexedBase("W"), sp.IndexedBase("y"), sp.IndexedBase("t")

FORMULAS = {"weight": Formula(y[n, k], W[r, l], delta(t[n], r) * delta(k, l))}


P, V, E = sizes("P V E")
# The forward over P positions, a V x E table, for the proof at every size; t[n] is a row
INDEX_FORWARD = IndexForward(
    {y[n, k]: W[t[n], k]}, {"W": (V, E), "y": (P, E), "t": (P,)}, values={"t": (0, V - 1)}
)


def expressions(weight, *, indices):
    return np.asarray(weight[np.asarray(indices)], dtype=object)


def jacobian(weight, *, indices):
    # One row per index position, even for a 0-d index: the formula indexes y[n, k].
    flat = elementwise(lambda v: sp.Integer(int(v)), np.asarray(indices).reshape(-1))
    out = (flat.size, weight.shape[1])
    block = FORMULAS["weight"].evaluate({"t": flat}, out, weight.shape)
    return (block.reshape(np.shape(indices) + weight.shape[1:] + weight.shape),)
