"""Softmax, element-wise along ``axis``: y[b,i] = exp(x[b,i]) / Σ_k exp(x[b,k]).

Closed index form (b, c: all other axes, folded; i, j: along ``axis``)::

    ∂y[b,i]/∂x[c,j] = δ(b,c) y[b,i] (δ(i,j) - y[b,j])
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, indices, sizes

b, c, i, j = indices("b c i j")
x, y = sp.IndexedBase("x"), sp.IndexedBase("y")

FORMULAS = {"x": Formula(y[b, i], x[c, j], delta(b, c) * y[b, i] * (delta(i, j) - y[b, j]))}


B, C = sizes("B C")
(k,) = indices("k")
# The forward over B rows of C entries, for the proof at every size
INDEX_FORWARD = IndexForward(
    {y[b, i]: sp.exp(x[b, i]) / sp.Sum(sp.exp(x[b, k]), (k, 0, C - 1))},
    {"x": (B, C), "y": (B, C)},
)


def expressions(x, *, axis=-1):
    exps = np.vectorize(sp.exp, otypes=[object])(x)
    return exps / exps.sum(axis=axis, keepdims=True)


def jacobian(x, *, axis=-1):
    # The formula is written with the softmax axis last; move it there and back.
    last = np.moveaxis(x, axis, -1)
    y_last = np.moveaxis(expressions(x, axis=axis), axis, -1)
    block = FORMULAS["x"].evaluate({"y": y_last}, last.shape, last.shape)
    n = x.ndim
    axis = axis % n
    return (np.moveaxis(np.moveaxis(block, n - 1, axis), 2 * n - 1, n + axis),)
