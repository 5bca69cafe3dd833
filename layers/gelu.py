"""Gaussian error linear unit, as ``torch.nn.functional.gelu``.

``approximate="none"`` (exact), with Φ the standard normal CDF and φ its density::

    y = x Φ(x) = x (1 + erf(x / √2)) / 2,          ∂y/∂x = Φ(x) + x φ(x),  φ(x) = exp(-x²/2) / √(2π)

``approximate="tanh"``, with u = √(2/π) (x + κ x³), κ = 0.044715 and t = tanh(u)::

    y = x (1 + t) / 2,          ∂y/∂x = (1 + t) / 2 + x (1 - t²) √(2/π) (1 + 3κ x²) / 2

computed with s = (1 + t) / 2 = σ(2u) as a stable sigmoid (1 - t² = 4 s (1 - s)): for x ≪ 0,
1 + t cancels and keeps few digits of a result that is itself tiny.

The forward saves ∂y/∂x; backward multiplies it by g = ∂L/∂y.  NumPy has no erf, so Φ is
computed here from erfc: a positive-term series below |x|/√2 = 2 and a continued fraction
above (Abramowitz & Stegun 7.1.6 and 7.1.14), accurate to ~1e-16 absolute and ~1e-14
relative.  For x < 0, Φ(x) = erfc(|x|/√2) / 2 directly, which keeps its relative accuracy far
into the tail.  The series runs on the whole array (about 70 passes: the cost of this layer),
the continued fraction only on the elements above the limit; branches are selected
arithmetically, never with np.where, which branches per element.
"""

import math

import numpy as np

from gradcheck.cases import Case, rand_distinct, rand_normal

KAPPA = 0.044715
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
SERIES_LIMIT = 2.0  # erfc(z): the series below, the continued fraction above
SERIES_TERMS = 32  # 4e-16 absolute on [0, 2)
# float32: truncation 5e-9 relative at the limit, below the ~1e-5 that float32's own 1 - erf
# cancellation costs there; 12 fewer terms are 24 fewer passes
FLOAT32_SERIES_TERMS = 20
FRACTION_DEPTH = 25  # 1e-14 relative on [2, ∞): the rounding of z² in exp(-z²) sets that floor

# 2ⁿ / (1·3·…·(2n+1)): the series coefficients of A&S 7.1.6, as plain floats (float32 stays)
_SERIES = [1.0]
for _n in range(1, SERIES_TERMS):
    _SERIES.append(_SERIES[-1] * 2.0 / (2 * _n + 1))


def _erfc(z: np.ndarray) -> np.ndarray:
    """erfc(z) for z ≥ 0 (loops run over series terms, never over elements)."""
    # exp(-z²) of the same rounded z as the series: mixing in exp(-x²/2) would cost digits
    # where 1 - erf cancels
    gauss = np.multiply(z, z)
    np.negative(gauss, out=gauss)
    np.exp(gauss, out=gauss)
    # A&S 7.1.6: erf s = 2/√π e^{-s²} s Σ_n 2ⁿ s²ⁿ / (1·3·…·(2n+1)), every term positive; the
    # argument is capped at the limit so that the polynomial stays finite where it is not used.
    w = np.minimum(z, SERIES_LIMIT)
    w *= w
    series = _SERIES[: FLOAT32_SERIES_TERMS if w.dtype.itemsize <= 4 else SERIES_TERMS]
    total = np.full_like(w, series[-1])
    for coefficient in reversed(series[:-1]):
        total *= w
        total += coefficient
    total *= z
    total *= gauss
    total *= -2.0 / math.sqrt(math.pi)
    total += 1.0
    # A&S 7.1.14 above the limit, two levels at a time, only where it is used (the tail is a
    # few percent of normal inputs): erfc c = 2c e^{-c²}/√π / (2c²+1 − 1·2/(2c²+5 − 3·4/(…)))
    far = np.flatnonzero(z >= SERIES_LIMIT)
    if far.size:
        c = z.reshape(-1)[far]
        v = 2.0 * c * c
        tail = 0.0
        for k in range(FRACTION_DEPTH, 0, -1):
            tail = float((2 * k - 1) * 2 * k) / (v + float(4 * k + 1) - tail)
        fraction = 2.0 / math.sqrt(math.pi) * c * gauss.reshape(-1)[far] / (v + 1.0 - tail)
        total.reshape(-1)[far] = fraction
    return total


def normal_cdf(x: np.ndarray) -> np.ndarray:
    """Φ(x) = erfc(-x/√2) / 2, without cancellation for x < 0."""
    half_tail = _erfc(np.abs(x) / math.sqrt(2.0))
    half_tail *= 0.5
    # Φ = h for x < 0 and 1 - h otherwise, as [x ≥ 0] - copysign(h, [x ≥ 0] - ½): an exact
    # select without np.where, which branches per element (~10x slower on random signs).
    nonnegative = np.empty_like(half_tail)
    np.greater_equal(x, 0, out=nonnegative, casting="unsafe")
    np.copysign(half_tail, nonnegative - 0.5, out=half_tail)
    return np.subtract(nonnegative, half_tail, out=nonnegative)


def _tanh_form(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """s = σ(2u) and s (1 - s) = e / (1 + e)², with e = exp(-|2u|) ≤ 1 (no overflow)."""
    two_u = KAPPA * x
    two_u *= x
    two_u *= x
    two_u += x
    two_u *= 2.0 * SQRT_2_OVER_PI
    e = np.abs(two_u)
    np.negative(e, out=e)
    np.exp(e, out=e)
    denominator = e + 1.0
    # s = 1/(1+e) for u ≥ 0 and e/(1+e) below: the numerator is max(e, [u ≥ 0]) exactly
    s = np.greater_equal(two_u, 0, out=two_u, casting="unsafe")
    np.maximum(s, e, out=s)
    s /= denominator
    denominator *= denominator
    return s, np.divide(e, denominator, out=e)  # s (1 - s), from e: no 1 - s cancellation


def forward(x: np.ndarray, *, approximate: str = "none"):
    if approximate == "none":
        cdf = normal_cdf(x)
        # the slope Φ + x φ, saved so that the backward is one multiply
        slope = np.multiply(x, x)
        slope *= -0.5
        np.exp(slope, out=slope)
        slope *= x
        slope *= 1.0 / math.sqrt(2.0 * math.pi)
        slope += cdf
        return x * cdf, slope
    if approximate == "tanh":
        s, s_s_complement = _tanh_form(x)
        inner_slope = x * x
        inner_slope *= 3.0 * KAPPA
        inner_slope += 1.0
        inner_slope *= 2.0 * SQRT_2_OVER_PI
        inner_slope *= x
        inner_slope *= s_s_complement
        inner_slope += s
        return x * s, inner_slope
    raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")


def backward(grad_output: np.ndarray, slope: np.ndarray) -> tuple[np.ndarray]:
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

# Realistic size for benchmarks/ (never checked): a transformer MLP's hidden activations.
BENCHMARK = Case(rand_normal(256, 4096), symbolic=False)
