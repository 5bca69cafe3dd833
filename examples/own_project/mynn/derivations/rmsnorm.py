"""rmsnorm in SymPy.  With r[b] = sqrt((1/D) Σ_k x[b,k]² + eps), the closed index form::

∂y[b,i]/∂x[c,j] = δ(b,c) (g[i] / r[b]) (δ(i,j) - x[b,i] x[b,j] / (D r[b]²))
∂y[b,i]/∂g[k]   = δ(i,k) x[b,i] / r[b]
"""

import numpy as np
import sympy as sp

from gradcheck import Formula, delta, indices

b, i, c, j, k = indices("b i c j k")
D = sp.Symbol("D", positive=True, integer=True)
y, x, gain, r = (sp.IndexedBase(name) for name in ("y", "x", "gain", "r"))

FORMULAS = {
    "x": Formula(
        y[b, i],
        x[c, j],
        delta(b, c) * gain[i] / r[b] * (delta(i, j) - x[b, i] * x[b, j] / (D * r[b] ** 2)),
    ),
    "gain": Formula(y[b, i], gain[k], delta(i, k) * x[b, i] / r[b]),
}


def _rows(x: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """x as rows (N, D) and each row's r, written exactly as the forward writes it."""
    rows = x.reshape(-1, x.shape[-1])
    eps = sp.Rational(str(eps))  # exact, so that the proof is exact
    r = np.array([sp.sqrt(sp.Add(*(row**2)) / rows.shape[1] + eps) for row in rows], dtype=object)
    return rows, r


def expressions(x: np.ndarray, gain: np.ndarray, *, eps: float = 1e-6) -> np.ndarray:
    rows, r = _rows(x, eps)
    return (gain * rows / r[:, np.newaxis]).reshape(x.shape)


def jacobian(x: np.ndarray, gain: np.ndarray, *, eps: float = 1e-6) -> tuple[np.ndarray, ...]:
    rows, r = _rows(x, eps)
    arrays = {"x": rows, "gain": gain, "r": r}
    blocks = []
    for name, shape in (("x", x.shape), ("gain", gain.shape)):
        formula = FORMULAS[name]
        bound = Formula(formula.output, formula.input, formula.value.subs(D, x.shape[-1]))
        block = bound.evaluate(arrays, rows.shape, rows.shape if name == "x" else shape)
        blocks.append(block.reshape(x.shape + shape))
    return tuple(blocks)
