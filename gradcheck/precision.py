"""The precision a layer computes in: float64, or float32 by design.

Real frameworks compute in float32 (float32 buffers, im2col in float32), and some round only part
of their work.  Such a layer is checked in float32 mode rather than refused or misjudged:

* **detection**: its output's dtype is float32, or its rounding noise is far above float64's.
  The noise is measured where it lives: the inputs move by a few float32 ulps (moving them by
  float64 ulps never crosses a float32 rounding boundary) along one random sign pattern.  The
  fourth difference ``D(d) = f(x+2d) - 4 f(x+d) + 6 f(x) - 4 f(x-d) + f(x-2d)`` cancels the
  function's own change to ``f'''' d⁴`` (~1e-26 at these ``d``); ``D(2d) - 2 D(d)`` also
  cancels a kink at x (relu at 0 makes f linear in d on each side), leaving round-off
  ``√238 σ``.  Float64 arithmetic leaves ``σ`` near ``ε₆₄`` times the largest intermediate,
  float32 near ``ε₃₂`` times the output: the threshold is their geometric mean,
  ``√(ε₃₂ ε₆₄)`` of the largest output.
* **budget**: each output's round-off is at least ``ε₃₂ |y|`` and the measured ``σ``; the step
  grows by ``(ε₃₂/ε₆₄)^(1/5)`` (Richardson's error is O(h⁴) against round-off's 1/h), and exact
  legs agree to ``8 ε₃₂`` of their terms instead of 1e-10.  The report states that precision.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gradcheck.arguments import MAX_STEP
from gradcheck.numeric import EPS, ROUNDOFF_SAFETY
from gradcheck.tolerance import EXACT_RTOL

EPS32 = float(np.finfo(np.float32).eps)
ULPS = 4.0  # the inputs move by a few of their float32 ulps
# D(2d) - 2 D(d) as weights on f(x + k d), D the fourth difference: a kink at x makes f
# linear in d on each side, and this cancels it as it cancels a smooth function's change
WEIGHTS = {-4: 1, -2: -6, -1: 8, 0: -6, 1: 8, 2: -6, 4: 1}
COMBINED_NOISE = float(np.sqrt(sum(w * w for w in WEIGHTS.values())))  # σ of that sum
THRESHOLD = float(np.sqrt(EPS32 * EPS))


@dataclass(frozen=True)
class Precision:
    """How a check is calibrated: the unit round-off ``eps`` of the layer's arithmetic, the
    relative tolerance ``rtol`` between exact legs, the ``step`` used, and the noise floor
    per output that finite differences must allow (None: measure it as for float64)."""

    eps: float
    rtol: float
    step: float
    floor: np.ndarray | None = None
    note: str | None = None


def rounding_noise(
    f: Callable[[list[np.ndarray]], np.ndarray], inputs: Sequence[np.ndarray], seed: int
) -> np.ndarray:
    """``σ`` per output: the round-off of one forward call, measured at float32 ulps."""
    rng = np.random.default_rng(seed + 5)
    # relative moves: an element within a few float32 ulps of a kink is then as rare as an
    # element exactly at one, and zeros (relu at 0) do not move at all
    moves = [ULPS * EPS32 * np.abs(a) * rng.choice([-1.0, 1.0], a.shape) for a in inputs]
    at = {k: f([a + k * d for a, d in zip(inputs, moves, strict=True)]) for k in WEIGHTS}
    combined = sum(w * at[k] for k, w in WEIGHTS.items())
    return np.abs(combined) / COMBINED_NOISE


def precision(
    f: Callable[[list[np.ndarray]], np.ndarray],
    inputs: Sequence[np.ndarray],
    output: np.ndarray,
    dtype: np.dtype,
    step: float,
    seed: int,
) -> Precision:
    """The calibration for a forward whose output (at ``inputs``) has ``dtype``."""
    float64 = Precision(EPS, EXACT_RTOL, step)
    largest = float(np.max(np.abs(output))) or 1.0
    try:
        sigma = rounding_noise(f, inputs, seed)
        unmeasured = "" if np.all(np.isfinite(sigma)) else "its output is not finite there"
    except Exception as error:  # a forward validating its domain, at a bound of it
        sigma, unmeasured = np.zeros(output.size), f"it raised {type(error).__name__}: {error}"
    if dtype.itemsize >= 8:
        if unmeasured:
            note = (
                f"float32 rounding not measured at inputs {ULPS:g} float32 ulps away: {unmeasured}"
            )
            return Precision(EPS, EXACT_RTOL, step, note=note)
        if float(sigma.max()) <= THRESHOLD * largest:
            return float64
        why = f"rounds to float32 inside (round-off {sigma.max() / largest:.0e} of its largest)"
    else:
        sigma = np.nan_to_num(sigma, nan=0.0, posinf=0.0)
        why = f"returns {dtype}"
    wider = min(MAX_STEP, step * (EPS32 / EPS) ** 0.2)
    rtol = max(EXACT_RTOL, ROUNDOFF_SAFETY * EPS32)
    floor = np.maximum(sigma, EPS32 * np.abs(output.reshape(-1)))
    note = (
        f"float32 precision: forward {why}; checked with steps of {wider:.2g} of each input's "
        f"spread and exact legs compared to {rtol:.0e} relative: the verdict holds to float32 "
        "resolution, not float64's"
    )
    return Precision(EPS32, rtol, wider, floor, note)
