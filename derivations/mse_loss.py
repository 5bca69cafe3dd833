"""Mean squared error, element-wise: L = (1/N) Σ_i (pred[i] - target[i])².

Closed index form (N elements, i over all of them)::

    ∂L/∂pred[i] = (2/N) (pred[i] - target[i])
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, exact, indices

(i,) = indices("i")
N = sp.Symbol("N", positive=True, integer=True)
pred, target, L = sp.IndexedBase("pred"), sp.IndexedBase("target"), sp.Symbol("L")

FORMULAS = {"pred": Formula(L, pred[i], 2 / N * (pred[i] - target[i]))}


def expressions(pred, *, target):
    diff = pred - exact(target)
    return np.asarray(sp.Add(*(diff * diff).ravel()) / pred.size, dtype=object)


def jacobian(pred, *, target):
    formula = FORMULAS["pred"]
    bound = Formula(formula.output, formula.input, formula.value.subs(N, pred.size))
    arrays = {"pred": pred, "target": exact(target)}
    return (bound.evaluate(arrays, (), pred.shape),)
