"""Leaky ReLU, element-wise: y[i] = x[i] if x[i] > 0 else α x[i]   (α = negative_slope).

Closed index form (the convention at the kink, as PyTorch's: slope α at x = 0)::

    ∂y[i]/∂x[j] = δ(i,j) · (1 if x[i] > 0 else α)
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, elementwise, indices, sizes

i, j = indices("i j")
alpha = sp.Symbol("alpha", positive=True)
x, y = sp.IndexedBase("x"), sp.IndexedBase("y")

FORMULAS = {"x": Formula(y[i], x[j], delta(i, j) * sp.Piecewise((1, x[i] > 0), (alpha, True)))}


(N,) = sizes("N")
# The forward over N elements (every axis folded), for the proof at every size and every α
INDEX_FORWARD = IndexForward(
    {y[i]: sp.Piecewise((x[i], x[i] > 0), (alpha * x[i], True))}, {"x": (N,), "y": (N,)}
)


def _slope(negative_slope: float) -> sp.Rational:
    # str() keeps 0.01 as 1/100 rather than the nearest binary fraction
    return sp.Rational(str(negative_slope))


def expressions(x: np.ndarray, *, negative_slope: float = 0.01) -> np.ndarray:
    slope = _slope(negative_slope)
    return elementwise(lambda v: sp.Piecewise((v, v > 0), (slope * v, True)), x)


def jacobian(x: np.ndarray, *, negative_slope: float = 0.01) -> tuple[np.ndarray]:
    formula = FORMULAS["x"]
    bound = Formula(
        formula.output, formula.input, formula.value.subs(alpha, _slope(negative_slope))
    )
    return (bound.evaluate({"x": x}, x.shape, x.shape),)
