"""scale_shift in SymPy.  Closed index form::

∂y[b,i]/∂x[c,j] = δ(b,c) δ(i,j) w[i],   ∂y[b,i]/∂w[k] = δ(i,k) x[b,i],   ∂y[b,i]/∂s[k] = δ(i,k)
"""

import numpy as np
import sympy as sp

from gradcheck import Formula, delta, indices

b, i, c, j, k = indices("b i c j k")
y, x, weight, shift = (sp.IndexedBase(name) for name in ("y", "x", "weight", "shift"))

FORMULAS = {
    "x": Formula(y[b, i], x[c, j], delta(b, c) * delta(i, j) * weight[i]),
    "weight": Formula(y[b, i], weight[k], delta(i, k) * x[b, i]),
    "shift": Formula(y[b, i], shift[k], delta(i, k)),
}


def expressions(x: np.ndarray, weight: np.ndarray, shift: np.ndarray) -> np.ndarray:
    return x * weight + shift  # object arrays of symbols broadcast like numbers


def jacobian(x: np.ndarray, weight: np.ndarray, shift: np.ndarray) -> tuple[np.ndarray, ...]:
    arrays = {"x": x, "weight": weight}
    return tuple(
        FORMULAS[name].evaluate(arrays, x.shape, value.shape)
        for name, value in (("x", x), ("weight", weight), ("shift", shift))
    )
