"""ReLU, element-wise: y[i] = x[i] if x[i] > 0 else 0.

Closed index form (the convention at the kink, as PyTorch's: slope 0 at x = 0)::

    ∂y[i]/∂x[j] = δ(i,j) · 1[x[i] > 0]
"""

import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, elementwise, indices, relu_expr, sizes

i, j = indices("i j")
x, y = sp.IndexedBase("x"), sp.IndexedBase("y")

FORMULAS = {"x": Formula(y[i], x[j], delta(i, j) * sp.Piecewise((1, x[i] > 0), (0, True)))}


(N,) = sizes("N")
# The forward over N elements (every axis folded), for the proof at every size
INDEX_FORWARD = IndexForward(
    {y[i]: sp.Piecewise((x[i], x[i] > 0), (0, True))}, {"x": (N,), "y": (N,)}
)


def expressions(x):
    return elementwise(relu_expr, x)


def jacobian(x):
    return (FORMULAS["x"].evaluate({"x": x}, x.shape, x.shape),)
