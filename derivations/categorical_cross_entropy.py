"""Categorical cross-entropy, element-wise: L = -(1/N) Σ_b Σ_k t[b,k] log p[b,k].

N is the number of rows (every leading axis folded into b).  Closed index form::

    ∂L/∂p[b,k] = -t[b,k] / (N p[b,k])
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, exact, indices, sizes

b, k = indices("b k")
N = sp.Symbol("N", positive=True, integer=True)
p, t, L = sp.IndexedBase("p"), sp.IndexedBase("t"), sp.Symbol("L")

FORMULAS = {"probs": Formula(L, p[b, k], -t[b, k] / (N * p[b, k]))}


(C,) = sizes("C")
a, c = indices("a c")
# The forward over N rows of C classes, for the proof at every size
INDEX_FORWARD = IndexForward(
    {L: -sp.Sum(t[a, c] * sp.log(p[a, c]), (c, 0, C - 1), (a, 0, N - 1)) / N},
    {"p": (N, C), "t": (N, C)},
)


def expressions(probs: np.ndarray, *, target: np.ndarray) -> np.ndarray:
    terms = exact(target) * np.vectorize(sp.log, otypes=[object])(probs)
    rows = probs.size // probs.shape[-1]
    return np.asarray(-sp.Add(*terms.ravel()) / rows, dtype=object)


def jacobian(probs: np.ndarray, *, target: np.ndarray) -> tuple[np.ndarray]:
    formula = FORMULAS["probs"]
    rows = probs.size // probs.shape[-1]
    bound = Formula(formula.output, formula.input, formula.value.subs(N, rows))
    return (bound.evaluate({"p": probs, "t": exact(target)}, (), probs.shape),)
