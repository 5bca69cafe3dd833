"""Dropout with a given mask, element-wise: y[i] = x[i] mask[i] / (1 - p), mask[i] ∈ {0, 1}.

Closed index form (the mask as exact integers, p as an exact rational)::

    ∂y[i]/∂x[j] = δ(i,j) mask[i] / (1 - p)
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, elementwise, indices, sizes

i, j = indices("i j")
# not named p: the keyword p (a float) would shadow it in jacobian()
rate = sp.Symbol("p", nonnegative=True)
x, y, mask = sp.IndexedBase("x"), sp.IndexedBase("y"), sp.IndexedBase("mask")

FORMULAS = {"x": Formula(y[i], x[j], delta(i, j) * mask[i] / (1 - rate))}


(N,) = sizes("N")
# The forward over N elements (every axis folded), for the proof at every size and rate
INDEX_FORWARD = IndexForward(
    {y[i]: x[i] * mask[i] / (1 - rate)}, {"x": (N,), "y": (N,), "mask": (N,)}
)


def _exact(mask: np.ndarray) -> np.ndarray:
    return elementwise(lambda kept: sp.Integer(int(kept)), np.asarray(mask))


def expressions(x, *, mask, p):
    return x * _exact(mask) / (1 - sp.Rational(str(p)))


def jacobian(x, *, mask, p):
    formula = FORMULAS["x"]
    bound = Formula(formula.output, formula.input, formula.value.subs(rate, sp.Rational(str(p))))
    return (bound.evaluate({"mask": _exact(mask)}, x.shape, x.shape),)
