"""Sigmoid, element-wise: y[i] = 1 / (1 + exp(-x[i])).

Closed index form, with y the sigmoid itself::

    ∂y[i]/∂x[j] = δ(i,j) y[i] (1 - y[i])
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, elementwise, indices, sizes

i, j = indices("i j")
x, y = sp.IndexedBase("x"), sp.IndexedBase("y")

FORMULAS = {"x": Formula(y[i], x[j], delta(i, j) * y[i] * (1 - y[i]))}


(N,) = sizes("N")
# The forward over N elements (every axis folded), for the proof at every size
INDEX_FORWARD = IndexForward({y[i]: 1 / (1 + sp.exp(-x[i]))}, {"x": (N,), "y": (N,)})


def expressions(x: np.ndarray) -> np.ndarray:
    return elementwise(lambda v: 1 / (1 + sp.exp(-v)), x)


def jacobian(x: np.ndarray) -> tuple[np.ndarray]:
    return (FORMULAS["x"].evaluate({"y": expressions(x)}, x.shape, x.shape),)
