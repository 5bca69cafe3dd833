"""Tanh, element-wise: y[i] = tanh(x[i]).

Closed index form, with y the tanh itself::

    ∂y[i]/∂x[j] = δ(i,j) (1 - y[i]²)
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, elementwise, indices, sizes

i, j = indices("i j")
x, y = sp.IndexedBase("x"), sp.IndexedBase("y")

FORMULAS = {"x": Formula(y[i], x[j], delta(i, j) * (1 - y[i] ** 2))}


(N,) = sizes("N")
# The forward over N elements (every axis folded), for the proof at every size
INDEX_FORWARD = IndexForward({y[i]: sp.tanh(x[i])}, {"x": (N,), "y": (N,)})


def expressions(x: np.ndarray) -> np.ndarray:
    return elementwise(sp.tanh, x)


def jacobian(x: np.ndarray) -> tuple[np.ndarray]:
    return (FORMULAS["x"].evaluate({"y": expressions(x)}, x.shape, x.shape),)
