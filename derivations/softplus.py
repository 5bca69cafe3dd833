"""Softplus, element-wise, torch's two branches:
y[i] = x[i] if β x[i] > threshold, else log(1 + exp(β x[i])) / β.

β and the threshold enter as exact rationals (a SymPy Float would defeat the exact proof).
Closed index form, with σ[i] = exp(β x[i]) / (1 + exp(β x[i])) passed in as an array::

    ∂y[i]/∂x[j] = δ(i,j) · (1 if β x[i] > threshold else σ[i])
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, elementwise, indices, sizes

i, j = indices("i j")
x, y, sigma = sp.IndexedBase("x"), sp.IndexedBase("y"), sp.IndexedBase("sigma")
# not named beta and threshold: the keyword arguments below would shadow them
BETA, THRESHOLD = sp.symbols("beta threshold", positive=True)

FORMULAS = {
    "x": Formula(
        y[i], x[j], delta(i, j) * sp.Piecewise((1, BETA * x[i] > THRESHOLD), (sigma[i], True))
    )
}


(N,) = sizes("N")
# The forward over N elements (every axis folded), for the proof at every size, β and threshold
INDEX_FORWARD = IndexForward(
    {
        y[i]: sp.Piecewise(
            (x[i], BETA * x[i] > THRESHOLD), (sp.log(1 + sp.exp(BETA * x[i])) / BETA, True)
        ),
        sigma[i]: sp.exp(BETA * x[i]) / (1 + sp.exp(BETA * x[i])),
    },
    {"x": (N,), "y": (N,), "sigma": (N,)},
)


def _exact(value: float) -> sp.Rational:
    return sp.Rational(float(value))


def expressions(x: np.ndarray, *, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
    b, t = _exact(beta), _exact(threshold)
    return elementwise(
        lambda v: sp.Piecewise((v, b * v > t), (sp.log(1 + sp.exp(b * v)) / b, True)), x
    )


def jacobian(x: np.ndarray, *, beta: float = 1.0, threshold: float = 20.0) -> tuple[np.ndarray]:
    b, t = _exact(beta), _exact(threshold)
    formula = FORMULAS["x"]
    bound = Formula(formula.output, formula.input, formula.value.subs({BETA: b, THRESHOLD: t}))
    sig = elementwise(lambda v: sp.exp(b * v) / (1 + sp.exp(b * v)), x)
    return (bound.evaluate({"x": x, "sigma": sig}, x.shape, x.shape),)
