"""Gaussian error linear unit, as ``torch.nn.functional.gelu``.

``approximate="none"`` (exact), with Φ the standard normal CDF and φ its density::

    y = x Φ(x) = x (1 + erf(x / √2)) / 2,          ∂y/∂x = Φ(x) + x φ(x),  φ(x) = exp(-x²/2) / √(2π)

``approximate="tanh"``, with u = √(2/π) (x + κ x³), κ = 0.044715 and t = tanh(u)::

    y = x (1 + t) / 2,          ∂y/∂x = (1 + t) / 2 + x (1 - t²) √(2/π) (1 + 3κ x²) / 2

computed with s = (1 + t) / 2 = σ(2u) as a stable sigmoid (1 - t² = 4 s (1 - s)): for x ≪ 0,
1 + t cancels and keeps few digits of a result that is itself tiny.

Backward multiplies ∂y/∂x by g = ∂L/∂y.  NumPy has no erf, so Φ is computed here from erfc:
a positive-term series below |x|/√2 = 2 and a continued fraction above (Abramowitz & Stegun
7.1.6 and 7.1.14), accurate to ~1e-16 absolute and ~1e-14 relative.  For x < 0,
Φ(x) = erfc(|x|/√2) / 2 directly, which keeps its relative accuracy far into the tail.
"""

import math

import numpy as np

from gradcheck.cases import Case, rand_distinct, rand_normal

KAPPA = 0.044715
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
SERIES_LIMIT = 2.0  # erfc(z): the series below, the continued fraction above
SERIES_TERMS = 32  # 4e-16 absolute on [0, 2)
FRACTION_DEPTH = 25  # 1e-14 relative on [2, ∞): the rounding of z² in exp(-z²) sets that floor

# 2ⁿ / (1·3·…·(2n+1)): the series coefficients of A&S 7.1.6, as plain floats (float32 stays)
_SERIES = [1.0]
for _n in range(1, SERIES_TERMS):
    _SERIES.append(_SERIES[-1] * 2.0 / (2 * _n + 1))


def _erfc(z: np.ndarray) -> np.ndarray:
    """erfc(z) for z ≥ 0 (loops run over series terms, never over elements)."""
    # A&S 7.1.6: erf s = 2/√π e^{-s²} s Σ_n 2ⁿ s²ⁿ / (1·3·…·(2n+1)), every term positive
    s = np.minimum(z, SERIES_LIMIT)
    w = s * s
    total = _SERIES[-1]
    for coefficient in reversed(_SERIES[:-1]):
        total = total * w + coefficient
    series = 1.0 - 2.0 / math.sqrt(math.pi) * np.exp(-w) * s * total
    # A&S 7.1.14, two levels at a time: erfc c = 2c e^{-c²}/√π / (2c²+1 − 1·2/(2c²+5 − 3·4/(…)))
    c = np.maximum(z, SERIES_LIMIT)
    v = 2.0 * c * c
    tail = 0.0
    for k in range(FRACTION_DEPTH, 0, -1):
        tail = float((2 * k - 1) * 2 * k) / (v + float(4 * k + 1) - tail)
    fraction = 2.0 / math.sqrt(math.pi) * c * np.exp(-c * c) / (v + 1.0 - tail)
    return np.where(z < SERIES_LIMIT, series, fraction)


def normal_cdf(x: np.ndarray) -> np.ndarray:
    """Φ(x) = erfc(-x/√2) / 2, without cancellation for x < 0."""
    half_tail = 0.5 * _erfc(np.abs(x) / math.sqrt(2.0))
    return np.where(x < 0, half_tail, 1.0 - half_tail)


def forward(x: np.ndarray, *, approximate: str = "none"):
    if approximate == "none":
        cdf = normal_cdf(x)
        return x * cdf, (x, approximate, cdf)
    if approximate == "tanh":
        two_u = 2.0 * SQRT_2_OVER_PI * (x + KAPPA * x * x * x)
        e = np.exp(-np.abs(two_u))  # s and 1 - s from e ≤ 1, as in the sigmoid layer
        positive = two_u >= 0
        s = np.where(positive, 1.0, e) / (1.0 + e)
        return x * s, (x, approximate, (s, np.where(positive, e, 1.0) / (1.0 + e)))
    raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray]:
    x, approximate, saved = cache
    if approximate == "none":
        density = np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
        slope = saved + x * density
    else:
        s, s_complement = saved
        inner_slope = SQRT_2_OVER_PI * (1.0 + 3.0 * KAPPA * x * x)
        slope = s + 2.0 * x * s * s_complement * inner_slope
    return (grad_output * slope,)


def torch_reference(x, *, approximate="none"):
    import torch.nn.functional as F

    return F.gelu(x, approximate=approximate)


# Spreads stay near 2: finite differences step by 1e-3 of the spread, and far wider inputs make
# the fast-varying tail (x < -6) look like a kink to the numeric leg (see the report).
CASES = [
    Case(rand_normal(2, 3)),
    Case(rand_normal(1, 7)),
    Case(rand_normal(2, 3, 2)),
    # a grid over [-4.8, 4.2]: both erfc branches (|x| > 2.83 switches), and the negative tail
    Case(rand_distinct(3, 4, gap=0.8), name="3x4-grid"),
    Case(rand_normal(2, 3), approximate="tanh"),
    Case(rand_normal(1, 7), approximate="tanh"),
    Case(rand_distinct(3, 4, gap=0.8), approximate="tanh", name="3x4-grid-tanh"),
    # erf costs ~150 array operations per forward: a larger shape here would dominate the run
    Case(rand_normal(12, 16, scale=1.5), symbolic=False),
    Case(rand_normal(16, 24, scale=1.5), approximate="tanh", symbolic=False),
]
