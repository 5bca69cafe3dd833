"""Batch normalisation (training), element-wise with the channel axis moved last.

x[n,c]: n runs over the M = N·H·W positions of channel c.  With μ[c] = (1/M) Σ_n x[n,c],
σ[c] = sqrt((1/M) Σ_n (x[n,c] - μ[c])² + eps) and x̂[n,c] = (x[n,c] - μ[c]) / σ[c]::

    y[n,c] = γ[c] x̂[n,c] + β[c]

Closed index form (auxiliary arrays: σ as ``sigma`` and x̂ as ``xhat``, both written with the
very same sqrt(var + eps) as the forward, so that the proof's half-power reduction applies)::

    ∂y[n,c]/∂x[m,d] = δ(c,d) (γ[c] / σ[c]) (δ(n,m) - 1/M - x̂[n,c] x̂[m,c] / M)
    ∂y[n,c]/∂γ[d]   = δ(c,d) x̂[n,c]
    ∂y[n,c]/∂β[d]   = δ(c,d)
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, indices, sizes

n, m, c, d = indices("n m c d")
M = sp.Symbol("M", positive=True, integer=True)
x, y, gamma, beta = (sp.IndexedBase(s) for s in ("x", "y", "gamma", "beta"))
xhat, sigma = sp.IndexedBase("xhat"), sp.IndexedBase("sigma")

FORMULAS = {
    "x": Formula(
        y[n, c],
        x[m, d],
        delta(c, d) * gamma[c] / sigma[c] * (delta(n, m) - 1 / M - xhat[n, c] * xhat[m, c] / M),
    ),
    "gamma": Formula(y[n, c], gamma[d], delta(c, d) * xhat[n, c]),
    "beta": Formula(y[n, c], beta[d], delta(c, d)),
}


(C,) = sizes("C")
(k,) = indices("k")
eps = sp.Symbol("epsilon", positive=True)
mu = sp.IndexedBase("mu")
# The forward over M positions of C channels, for the proof at every size and every eps > 0
INDEX_FORWARD = IndexForward(
    {
        y[n, c]: gamma[c] * xhat[n, c] + beta[c],
        xhat[n, c]: (x[n, c] - mu[c]) / sigma[c],
        sigma[c]: sp.sqrt(sp.Sum((x[k, c] - mu[c]) ** 2, (k, 0, M - 1)) / M + eps),
        mu[c]: sp.Sum(x[k, c], (k, 0, M - 1)) / M,
    },
    {"x": (M, C), "y": (M, C), "xhat": (M, C), "gamma": (C,), "beta": (C,)}
    | {"sigma": (C,), "mu": (C,)},
)


def _normalise(x: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """(x̂, σ) for x with the channel axis last: x̂ shaped like x, σ shaped (C,)."""
    values = x.reshape(-1, x.shape[-1])
    count = values.shape[0]
    mean = values.sum(axis=0) / count
    centred = values - mean
    sigmas = np.array(
        [sp.sqrt(sp.Add(*(col**2)) / count + sp.Rational(str(eps))) for col in centred.T],
        dtype=object,
    )
    return (centred / sigmas).reshape(x.shape), sigmas


def expressions(x, gamma, beta, *, eps=1e-5):
    x_hat, _ = _normalise(np.moveaxis(x, 1, -1), eps)
    return np.moveaxis(gamma * x_hat + beta, -1, 1)


def jacobian(x, gamma, beta, *, eps=1e-5):
    last = np.moveaxis(x, 1, -1)
    x_hat, sigmas = _normalise(last, eps)
    arrays = {"gamma": gamma, "sigma": sigmas, "xhat": x_hat}
    count = x.size // x.shape[1]
    k = x.ndim
    blocks = []
    for name, shape in (("x", last.shape), ("gamma", gamma.shape), ("beta", beta.shape)):
        formula = FORMULAS[name]
        bound = Formula(formula.output, formula.input, formula.value.subs(M, count))
        block = np.moveaxis(bound.evaluate(arrays, last.shape, shape), k - 1, 1)
        blocks.append(np.moveaxis(block, 2 * k - 1, k + 1) if name == "x" else block)
    return tuple(blocks)
