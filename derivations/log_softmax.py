"""Log-softmax, element-wise along ``axis``: y[b,i] = x[b,i] - log Σ_k exp(x[b,k]).

Closed index form (b, c: all other axes, folded; i, j: along ``axis``), with
p[b,j] = exp(x[b,j]) / Σ_k exp(x[b,k]) the softmax, passed in as an auxiliary array::

    ∂y[b,i]/∂x[c,j] = δ(b,c) (δ(i,j) - p[b,j])
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, elementwise, indices, sizes

b, c, i, j = indices("b c i j")
x, y, p = sp.IndexedBase("x"), sp.IndexedBase("y"), sp.IndexedBase("p")

FORMULAS = {"x": Formula(y[b, i], x[c, j], delta(b, c) * (delta(i, j) - p[b, j]))}


B, C = sizes("B C")
(k,) = indices("k")
# The forward over B rows of C entries, for the proof at every size
INDEX_FORWARD = IndexForward(
    {
        y[b, i]: x[b, i] - sp.log(sp.Sum(sp.exp(x[b, k]), (k, 0, C - 1))),
        p[b, j]: sp.exp(x[b, j]) / sp.Sum(sp.exp(x[b, k]), (k, 0, C - 1)),
    },
    {"x": (B, C), "y": (B, C), "p": (B, C)},
)


def expressions(x: np.ndarray, *, axis: int = -1) -> np.ndarray:
    exps = elementwise(sp.exp, x)
    return x - elementwise(sp.log, exps.sum(axis=axis, keepdims=True))


def jacobian(x: np.ndarray, *, axis: int = -1) -> tuple[np.ndarray]:
    # The formula is written with the reduced axis last; move it there and back.
    last = np.moveaxis(x, axis, -1)
    exps = elementwise(sp.exp, last)
    probs = exps / exps.sum(axis=-1, keepdims=True)
    block = FORMULAS["x"].evaluate({"p": probs}, last.shape, last.shape)
    n = x.ndim
    axis = axis % n
    return (np.moveaxis(np.moveaxis(block, n - 1, axis), 2 * n - 1, n + axis),)
