"""Binary cross-entropy on logits, element-wise: L = (1/N) Σ_i [ log(1 + exp(x[i])) - x[i] t[i] ].

Written in the plain smooth form: the layer's stable max(x, 0) - x t + log1p(exp(-|x|)) is the
same function, but |x| and max would put artificial kinks into SymPy's derivation.  Closed
index form (N elements), with σ[i] = exp(x[i]) / (1 + exp(x[i])) passed in as an auxiliary
array::

    ∂L/∂x[i] = (σ[i] - t[i]) / N
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, elementwise, exact, indices

(i,) = indices("i")
N = sp.Symbol("N", positive=True, integer=True)
x, t, sigma, L = sp.IndexedBase("x"), sp.IndexedBase("t"), sp.IndexedBase("sigma"), sp.Symbol("L")

FORMULAS = {"logits": Formula(L, x[i], (sigma[i] - t[i]) / N)}


(k,) = indices("k")
# The forward over N elements (every axis folded), for the proof at every size
INDEX_FORWARD = IndexForward(
    {
        L: sp.Sum(sp.log(1 + sp.exp(x[k])) - x[k] * t[k], (k, 0, N - 1)) / N,
        sigma[i]: sp.exp(x[i]) / (1 + sp.exp(x[i])),
    },
    {"x": (N,), "t": (N,), "sigma": (N,)},
)


def expressions(logits: np.ndarray, *, target: np.ndarray) -> np.ndarray:
    terms = elementwise(lambda v, c: sp.log(1 + sp.exp(v)) - v * c, logits, exact(target))
    return np.asarray(sp.Add(*terms.ravel()) / logits.size, dtype=object)


def jacobian(logits: np.ndarray, *, target: np.ndarray) -> tuple[np.ndarray]:
    formula = FORMULAS["logits"]
    bound = Formula(formula.output, formula.input, formula.value.subs(N, logits.size))
    sig = elementwise(lambda v: sp.exp(v) / (1 + sp.exp(v)), logits)
    return (bound.evaluate({"sigma": sig, "t": exact(target)}, (), logits.shape),)
