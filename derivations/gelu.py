"""GELU, element-wise, in both of PyTorch's modes.

``approximate="none"``: y[i] = x[i] (1 + erf(x[i]/√2)) / 2, and (``FORMULAS``)::

    ∂y[i]/∂x[j] = δ(i,j) ( (1 + erf(x[i]/√2)) / 2 + x[i] exp(-x[i]²/2) / √(2π) )

``approximate="tanh"``: y[i] = x[i] (1 + t[i]) / 2 with t[i] = tanh(√(2/π) (x[i] + κ x[i]³)),
κ = 0.044715, and (``TANH_FORMULAS``; ``t`` is passed in as an auxiliary array)::

    ∂y[i]/∂x[j] = δ(i,j) ( (1 + t[i]) / 2 + x[i] (1 - t[i]²) √(2/π) (1 + 3κ x[i]²) / 2 )
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, elementwise, indices, sizes

i, j = indices("i j")
kappa = sp.Symbol("kappa", positive=True)
x, y, t = sp.IndexedBase("x"), sp.IndexedBase("y"), sp.IndexedBase("t")
KAPPA = sp.Rational(44715, 10**6)
SQRT_2_OVER_PI = sp.sqrt(2) / sp.sqrt(sp.pi)

FORMULAS = {
    "x": Formula(
        y[i],
        x[j],
        delta(i, j)
        * (
            (1 + sp.erf(x[i] / sp.sqrt(2))) / 2
            + x[i] * sp.exp(-(x[i] ** 2) / 2) / sp.sqrt(2 * sp.pi)
        ),
    )
}
TANH_FORMULAS = {
    "x": Formula(
        y[i],
        x[j],
        delta(i, j)
        * (
            (1 + t[i]) / 2
            + x[i] * (1 - t[i] ** 2) * SQRT_2_OVER_PI * (1 + 3 * kappa * x[i] ** 2) / 2
        ),
    )
}


(N,) = sizes("N")
# The forward of FORMULAS (approximate="none") over N elements, for the proof at every size
INDEX_FORWARD = IndexForward(
    {y[i]: x[i] * (1 + sp.erf(x[i] / sp.sqrt(2))) / 2}, {"x": (N,), "y": (N,)}
)
# approximate="tanh", for TANH_FORMULAS at every size and every κ (the check's proof path
# proves FORMULAS; tests/test_allsizes.py proves this pair)
TANH_INDEX_FORWARD = IndexForward(
    {
        y[i]: x[i] * (1 + t[i]) / 2,
        t[i]: sp.tanh(SQRT_2_OVER_PI * (x[i] + kappa * x[i] ** 3)),
    },
    {"x": (N,), "y": (N,), "t": (N,)},
)


def _tanh_inner(v: sp.Expr) -> sp.Expr:
    return sp.tanh(SQRT_2_OVER_PI * (v + KAPPA * v**3))


def expressions(x: np.ndarray, *, approximate: str = "none") -> np.ndarray:
    if approximate == "tanh":
        return elementwise(lambda v: v * (1 + _tanh_inner(v)) / 2, x)
    return elementwise(lambda v: v * (1 + sp.erf(v / sp.sqrt(2))) / 2, x)


def jacobian(x: np.ndarray, *, approximate: str = "none") -> tuple[np.ndarray]:
    if approximate == "tanh":
        formula = TANH_FORMULAS["x"]
        bound = Formula(formula.output, formula.input, formula.value.subs(kappa, KAPPA))
        return (bound.evaluate({"x": x, "t": elementwise(_tanh_inner, x)}, x.shape, x.shape),)
    return (FORMULAS["x"].evaluate({"x": x}, x.shape, x.shape),)
