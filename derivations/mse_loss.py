"""Mean squared error, element-wise: L = (1/N) Σ_i (pred[i] - target[i])².

Closed index form (N elements, i over all of them)::

    ∂L/∂pred[i] = (2/N) (pred[i] - target[i])
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, exact, indices

(i,) = indices("i")
N = sp.Symbol("N", positive=True, integer=True)
pred, target, L = sp.IndexedBase("pred"), sp.IndexedBase("target"), sp.Symbol("L")

FORMULAS = {"pred": Formula(L, pred[i], 2 / N * (pred[i] - target[i]))}


(k,) = indices("k")
# The forward over N elements (every axis folded), for the proof at every size
INDEX_FORWARD = IndexForward(
    {L: sp.Sum((pred[k] - target[k]) ** 2, (k, 0, N - 1)) / N}, {"pred": (N,), "target": (N,)}
)


def expressions(pred, *, target):
    diff = pred - exact(target)
    return np.asarray(sp.Add(*(diff * diff).ravel()) / pred.size, dtype=object)


def jacobian(pred, *, target):
    formula = FORMULAS["pred"]
    bound = Formula(formula.output, formula.input, formula.value.subs(N, pred.size))
    arrays = {"pred": pred, "target": exact(target)}
    return (bound.evaluate(arrays, (), pred.shape),)
