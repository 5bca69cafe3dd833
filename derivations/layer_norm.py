"""Layer normalisation, element-wise over rows n (all leading axes, folded) of D features.

With μ[n] = (1/D) Σ_i x[n,i], σ[n] = sqrt((1/D) Σ_i (x[n,i] - μ[n])² + eps) and
x̂[n,i] = (x[n,i] - μ[n]) / σ[n]::

    y[n,i] = γ[i] x̂[n,i] + β[i]

Closed index form (auxiliary arrays: σ as ``sigma`` and x̂ as ``xhat``, both written with the
very same sqrt(var + eps) as the forward, so that the proof's half-power reduction applies)::

    ∂y[n,i]/∂x[m,j] = δ(n,m) (γ[i] / σ[n]) (δ(i,j) - 1/D - x̂[n,i] x̂[n,j] / D)
    ∂y[n,i]/∂γ[j]   = δ(i,j) x̂[n,i]
    ∂y[n,i]/∂β[j]   = δ(i,j)
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, indices, sizes

n, m, i, j = indices("n m i j")
D = sp.Symbol("D", positive=True, integer=True)
x, y, gamma, beta = (sp.IndexedBase(s) for s in ("x", "y", "gamma", "beta"))
xhat, sigma = sp.IndexedBase("xhat"), sp.IndexedBase("sigma")

FORMULAS = {
    "x": Formula(
        y[n, i],
        x[m, j],
        delta(n, m) * gamma[i] / sigma[n] * (delta(i, j) - 1 / D - xhat[n, i] * xhat[n, j] / D),
    ),
    "gamma": Formula(y[n, i], gamma[j], delta(i, j) * xhat[n, i]),
    "beta": Formula(y[n, i], beta[j], delta(i, j)),
}


(N,) = sizes("N")
(k,) = indices("k")
eps = sp.Symbol("epsilon", positive=True)
mu = sp.IndexedBase("mu")
# The forward over N rows of D features, for the proof at every size and every eps > 0
INDEX_FORWARD = IndexForward(
    {
        y[n, i]: gamma[i] * xhat[n, i] + beta[i],
        xhat[n, i]: (x[n, i] - mu[n]) / sigma[n],
        sigma[n]: sp.sqrt(sp.Sum((x[n, k] - mu[n]) ** 2, (k, 0, D - 1)) / D + eps),
        mu[n]: sp.Sum(x[n, k], (k, 0, D - 1)) / D,
    },
    {"x": (N, D), "y": (N, D), "xhat": (N, D), "gamma": (D,), "beta": (D,)}
    | {"sigma": (N,), "mu": (N,)},
)


def _normalise(rows: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """(x̂, σ) for rows (N, D): x̂ shaped (N, D), σ shaped (N,)."""
    count = rows.shape[-1]
    centred = rows - (rows.sum(axis=-1, keepdims=True) / count)
    sigmas = np.array(
        [sp.sqrt(sp.Add(*(row**2)) / count + sp.Rational(str(eps))) for row in centred],
        dtype=object,
    )
    return centred / sigmas[:, np.newaxis], sigmas


def expressions(x, gamma, beta, *, eps=1e-5):
    x_hat, _ = _normalise(x.reshape(-1, x.shape[-1]), eps)
    return (gamma * x_hat + beta).reshape(x.shape)


def jacobian(x, gamma, beta, *, eps=1e-5):
    # Rows (N, D) even for a 1-D x, which the formula's two indices need.
    rows = x.reshape(-1, x.shape[-1])
    x_hat, sigmas = _normalise(rows, eps)
    arrays = {"gamma": gamma, "sigma": sigmas, "xhat": x_hat}
    blocks = []
    for name, shape, final in (
        ("x", rows.shape, x.shape),
        ("gamma", gamma.shape, gamma.shape),
        ("beta", beta.shape, beta.shape),
    ):
        formula = FORMULAS[name]
        bound = Formula(formula.output, formula.input, formula.value.subs(D, x.shape[-1]))
        blocks.append(bound.evaluate(arrays, rows.shape, shape).reshape(x.shape + final))
    return tuple(blocks)
