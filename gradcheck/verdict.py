"""Verdicts: which elements are wrong, and which leg is to blame.

backward vs symbolic: both exact formulas, so they must agree to round-off,
``|a - s| <= 1e-10 (|v|·|J| + 1e-3 max(|v|·|J|, max|v| spread(y) / spread(x)))``, far below
finite-difference resolution.
Each vs numeric: within the finite-difference budget of :mod:`gradcheck.numeric`.
The leg that disagrees with the two that agree is wrong.  When backward and symbolic agree
exactly but numeric does not, the sample defeats finite differences (blame ``numeric``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradcheck.legs import Exact
from gradcheck.numeric import NumericResult
from gradcheck.projection import random_directions
from gradcheck.report import Failure, Kink
from gradcheck.steps import spread
from gradcheck.tolerance import EXACT_RTOL, exact_tolerance
from gradcheck.trial import Findings, Trial


@dataclass
class Legs:
    """One input's three legs, each shaped ``(probes, *input.shape)``: ``a`` (backward), ``s``
    (symbolic, or None) and ``n`` (numeric, with its ``budget``); ``scale`` is ``|v|·|J|``,
    the size of the terms each entry sums; ``kink`` marks elements finite differences could
    not differentiate (shaped like the input), and ``one_sided`` holds there the left and right
    slopes and the slack of their estimates (NaN elsewhere, shaped like ``a``)."""

    a: np.ndarray
    s: np.ndarray | None
    n: np.ndarray
    budget: np.ndarray
    scale: np.ndarray
    kink: np.ndarray
    one_sided: tuple[np.ndarray, np.ndarray, np.ndarray]


def compare_elements(
    name: str,
    legs: Legs,
    one_hot: bool,
    out_shape: tuple[int, ...],
    natural: float = 0.0,
    rtol: float = EXACT_RTOL,
) -> tuple[list[Failure], dict[str, float]]:
    """Element-wise verdicts for one input.

    ``natural`` is the size a gradient of this input has before any saturation,
    ``max|v| · spread(y) / spread(x)`` (spreads: a constant offset in y counts for nothing).
    ``rtol`` is the exact legs' relative round-off (:func:`gradcheck.tolerance.exact_tolerance`).
    Returns the failures and, per pair of legs, the largest relative error.
    """
    a, s, n, budget, scale, kink = legs.a, legs.s, legs.n, legs.budget, legs.scale, legs.kink
    exact_tol = exact_tolerance(scale, natural, rtol)
    usable = ~np.broadcast_to(kink, a.shape)
    a_off_n = usable & (np.abs(a - n) > budget + exact_tol)
    s_off_n = usable & (np.abs(s - n) > budget + exact_tol) if s is not None else None
    a_off_s = np.abs(a - s) > exact_tol if s is not None else None
    if s is None:
        # No derivation states the convention at a kink: backward must give a generalised
        # gradient there, a slope between the one-sided ones (relu'(0) may be 0, ½ or 1, not 5).
        # Only a one-hot probe's row is one output: a random probe mixes slopes of either sign.
        if one_hot:
            left, right, slack = legs.one_sided
            nearest = np.clip(a, np.fmin(left, right), np.fmax(left, right))
            a_off_n |= ~usable & (np.abs(a - nearest) > slack + exact_tol)
            n, budget = np.where(usable, n, nearest), np.where(usable, budget, slack)
        blame = np.where(a_off_n, "backward", "")
    else:
        # the odd one out is wrong; where both disagree with numeric, the farther one
        both_off = a_off_s & a_off_n & s_off_n
        a_farther = np.abs(a - n) >= np.abs(s - n)
        backward = a_off_s & usable & ~s_off_n | both_off & a_farther
        backward |= a_off_s & ~usable  # at a kink the derivation states the convention
        derivation = a_off_s & usable & ~a_off_n & s_off_n | both_off & ~a_farther
        numeric = ~a_off_s & a_off_n & s_off_n
        blame = np.select(
            [backward, derivation, numeric], ["backward", "derivation", "numeric"], ""
        )
    reference = s if s is not None else n
    errors = {}
    typical = np.sqrt(np.mean(scale**2)) + 1e-300
    if s is not None:
        errors["backward~symbolic"] = float(np.max(np.abs(a - s) / (np.abs(s) + typical)))
    if usable.any():
        errors["backward~numeric"] = float(np.max((np.abs(a - n) / (np.abs(n) + typical))[usable]))
        if s is not None:
            errors["symbolic~numeric"] = float(
                np.max((np.abs(s - n) / (np.abs(n) + typical))[usable])
            )
    failures = []
    for position in zip(*np.nonzero(blame), strict=True):
        verdict = str(blame[position])
        other = n if verdict == "numeric" else (s if s is not None else n)
        mine = s if verdict == "derivation" else a
        if verdict == "derivation" and not usable[position]:
            other = a
        gap = float(abs(mine[position] - other[position]))
        allowed = (
            exact_tol[position] if s is not None and verdict != "numeric" else budget[position]
        )
        probe, index = position[0], tuple(int(i) for i in position[1:])
        failures.append(
            Failure(
                verdict,
                f"gradient of '{name}' wrong",
                input=name,
                index=index,
                output=tuple(int(i) for i in np.unravel_index(probe, out_shape))
                if one_hot
                else None,
                backward=float(a[position]),
                symbolic=None if s is None else float(s[position]),
                # at a kink, with no derivation, the one-sided slope nearest to backward
                numeric=float(n[position]) if usable[position] or s is None else None,
                abs_error=gap,
                rel_error=gap / (abs(float(reference[position])) + float(typical)),
                budget=float(allowed),
            )
        )
    return failures, errors


def verdicts(numeric: NumericResult, trial: Trial, exact: Exact) -> Findings:
    """Failures, largest errors per pair of legs, and kinks, over every input."""
    found = Findings()
    probes, output = trial.probes, trial.output
    m = output.size
    for k, (input_name, a) in enumerate(zip(trial.names, exact.closed, strict=True)):
        s = None
        if exact.blocks is not None:
            jac = exact.blocks[k].reshape(m, -1)
            s = (probes @ jac).reshape(a.shape)
            scale = (np.abs(probes) @ np.abs(jac)).reshape(a.shape)
        else:
            scale = np.abs(a) + np.abs(numeric.value[k])
        legs = Legs(
            a, s, numeric.value[k], numeric.budget[k], scale, numeric.kink[k],
            (numeric.left[k], numeric.right[k], numeric.slack[k]),
        )  # fmt: skip
        natural = float(np.abs(probes).max()) * spread(output) / spread(trial.arrays[k])
        failures, pairs = compare_elements(
            input_name, legs, trial.one_hot, output.shape, natural, trial.rtol
        )
        found.failures += failures
        for pair, value in pairs.items():
            found.errors[pair] = max(found.errors.get(pair, 0.0), value)
        for position in np.argwhere(numeric.kink[k]):  # argwhere, unlike nonzero, takes 0-d
            index = tuple(int(i) for i in position)
            at = (slice(None),) + index
            row = int(np.argmax(np.isfinite(numeric.left[k][at])))  # the first probe that saw it
            left, right = numeric.left[k][(row,) + index], numeric.right[k][(row,) + index]
            distance = float(numeric.distance[k][index])
            kink = Kink(input_name, index, float(left), float(right))
            kink.distance = None if np.isnan(distance) else distance
            found.kinks.append(kink)
    return found


def compare_projected(trial: Trial, exact: Exact) -> Findings:
    """Backward against finite differences along random directions (see :mod:`projection`).

    The findings hold at most one wrong element (localised by bisection), the largest
    relative error and notes on directions that crossed a kink.
    """
    projector, closed, names = trial.projector(), exact.closed, trial.names
    seed = trial.seed
    joined = np.concatenate([c.reshape(len(c), -1) for c in closed], axis=1)
    worst, largest, crossed = None, 0.0, 0
    directions = random_directions(joined.shape[1], seed)
    for u in directions:
        d = projector.along(u)
        if d.kink:
            crossed += 1
            continue
        weighted = u * projector.scale
        expected = joined @ weighted
        allowed = d.budget + trial.rtol * (np.abs(joined) @ np.abs(weighted))
        gap = np.abs(expected - d.value)
        largest = max(largest, float(np.max(gap / (np.abs(d.value) + allowed))))
        ratio = gap / allowed
        probe = int(np.argmax(ratio))
        if ratio[probe] > 1 and (worst is None or ratio[probe] > worst[0]):
            worst = (ratio[probe], u, probe)
    notes, failures = [], []
    if crossed:
        notes.append(f"{crossed} of {len(directions)} random directions crossed a kink, skipped")
    if crossed == len(directions):
        message = "every random direction crossed a kink: check smaller inputs element-wise"
        failures.append(Failure("numeric", message))
    if worst is not None:
        _, u, probe = worst
        located = projector.locate(joined, u, probe)
        k, index = projector.unravel(located.position)
        mine = float(joined[probe, located.position])
        gap = abs(mine - located.numeric)
        failures.append(
            Failure(
                "backward",
                f"gradient of '{names[k]}' wrong along a random direction; worst element located",
                input=names[k],
                index=index,
                backward=mine,
                numeric=located.numeric,
                abs_error=gap,
                rel_error=gap / (abs(located.numeric) + 1e-300),
                budget=located.budget,
            )
        )
    return Findings(failures, {"backward~numeric": largest}, notes=notes)
