"""A kink is a claim to confirm: refine the step until it no longer crosses the kink.

Finite differences flag an element as a kink when the jump fits of :mod:`gradcheck.numeric`
see a jump in slope ``c`` within the steps h, h/2, h/4.  The kink may be at x itself (relu at 0)
or anywhere within a step of it (relu at 3e-9).  In the second case the element is
differentiable, and must be judged like any other: a backward with slope 0 at x = 3e-9 is wrong.

So each flagged element is differenced again, alone, with smaller steps.  The offset fit gives
the kink's distance, ``d = |n / c|`` (``n = -d c`` when every step crosses it), so the next step
is ``min(h/4, d/2)``, which no longer crosses it; where ``n`` is round-off (a kink at x), the
step shrinks 16-fold.  Refinement stops where the jump would sink into round-off at the next
step: a kink still seen there is confirmed, with its distance, and only a confirmed kink
relaxes the verdict (:mod:`gradcheck.verdict`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from gradcheck.numeric import (
    BUDGET_SAFETY,
    SIDES,
    Directional,
    NumericResult,
    directional_difference,
    moving_one,
)
from gradcheck.steps import element_step

MAX_REFINEMENTS = 6
SHRINK = 16.0  # per refinement when the kink's distance is below round-off (a kink at x)
# n's round-off is 20 δ, the offset fit's threshold 320 δ / h: n is resolved above 4 × 20 δ
OFFSET_RESOLVED = BUDGET_SAFETY * 20 / 320


def refine(
    difference: Callable[[float], Directional], d: Directional, h: float, floor: float = 0.0
) -> tuple[Directional, float, float]:
    """Difference at smaller steps while a kink is seen and stays resolvable.

    ``difference(h)`` is the element's directional difference at step h, ``d`` the one at
    ``h``; steps stay above ``floor`` (a few ulps of x).  Returns the last difference, its
    step, and the kink's distance from x (NaN when the last difference sees no kink: the
    element is differentiable at that step).

    Only an element both fits saw as a kink at ``h`` can be confirmed as one.  An element only
    the offset fit suspected is judged at the finer step that resolves it, or, if none does,
    at ``h`` as before: a sharp smooth function (softmax at logits ±1000) must not turn into
    a kink by being looked at more closely.
    """
    first, start, claimed = d, h, bool(d.kink)
    distance = np.nan
    for _ in range(MAX_REFINEMENTS + 1):
        seen = d.kinked | d.suspect
        if not seen.any():
            return d, h, np.nan
        rows = seen & np.isfinite(d.jump) & (d.threshold > 0)
        if not rows.any():
            break
        visible = np.divide(np.abs(d.jump), d.threshold, out=np.zeros(rows.shape), where=rows)
        r = int(np.argmax(np.where(rows, visible, -np.inf)))
        c, n, threshold = abs(d.jump[r]), abs(d.offset[r]), d.threshold[r]
        distance = n / c
        resolved = n > OFFSET_RESOLVED * threshold * h
        after = min(h / 4, distance / 2) if resolved else h / SHRINK
        # the jump must stay well above the offset fit's threshold at the next step
        if not (c > BUDGET_SAFETY * (threshold * h / after + d.relative[r]) and after > floor):
            break
        d, h = difference(after), after
    if not claimed:
        return first, start, np.nan
    # still seen at the finest step that resolves it: a kink, confirmed
    d.kinked = d.kinked | d.suspect
    return d, h, distance


def confirm_kinks(
    f: Callable[[list[np.ndarray]], np.ndarray],
    arrays: Sequence[np.ndarray],
    probes: np.ndarray,
    step: float,
    noise_floor: np.ndarray | None,
    numeric: NumericResult,
) -> None:
    """Difference every element ``numeric`` flags as a kink again, alone, refining its step;
    its columns of ``numeric`` are replaced by what the finest step saw."""
    claimed = [kink | suspect for kink, suspect in zip(numeric.kink, numeric.suspect, strict=True)]
    if not any(c.any() for c in claimed):
        return
    inputs = [np.array(a, dtype=np.float64, order="C") for a in arrays]
    y0 = f(inputs)
    for k, a in enumerate(inputs):
        flat = a.reshape(-1)
        steps = element_step(a, step).reshape(-1)
        for e in np.flatnonzero(claimed[k].reshape(-1)):
            x = flat[e]
            shifted = moving_one(f, inputs, flat, e)

            def difference(h: float, x: float = x, shifted: Callable = shifted) -> Directional:
                exact = (x + h) - x  # a step x + h rounds exactly
                return directional_difference(shifted, y0, probes, exact, noise_floor)

            floor = 4 * float(np.spacing(abs(x)))
            d, _, distance = refine(difference, difference(steps[e]), steps[e], floor)
            index = np.unravel_index(e, a.shape)
            at = (slice(None), *index)
            numeric.value[k][at], numeric.budget[k][at] = d.value, d.budget
            numeric.kink[k][index] = d.kink
            numeric.suspect[k][index] = False
            numeric.distance[k][index] = distance
            for name in SIDES:
                getattr(numeric, name)[k][at] = np.where(d.kinked, getattr(d, name), np.nan)
