"""The backward's contract, checked by its effect on the backward's own results.

The closed form (:func:`gradcheck.legs.closed_form`) gives ``G[p] = backward(v_p, cache)`` for
every probe ``v_p``.  Three more passes ask what a backward owes beyond being right once:

* **cache effects**: the same probes again on the same cache must give ``G`` again.  A write
  into the cache that changes a later result is harmful; a memo, a call counter or a harmless
  copy is not, and nothing in the cache has to be copyable or comparable;
* **linearity**: ``backward(Σ c_o e_o) = Σ c_o backward(e_o)``.  With one-hot probes a backward
  that clips or rounds ``grad_output`` is exact on every probe, so a Gaussian probe and scaled
  ones must match the same combination of the one-hot results;
* **stale state**: ``forward(a), forward(b), backward(cache_a)`` must equal
  ``forward(a), backward(cache_a)``: a backward that reads what the last forward left in a
  global or on an object, instead of its cache, answers for ``b``.  (An adapted object keeps
  its state in the cache, :mod:`gradcheck.adapters`, so the same pass checks objects.)

Results are compared within the round-off of two exact computations
(:func:`gradcheck.tolerance.exact_tolerance`).
"""

from __future__ import annotations

import numpy as np

from gradcheck.contract import run_backward
from gradcheck.report import Failure
from gradcheck.steps import spread
from gradcheck.tolerance import exact_tolerance
from gradcheck.trial import Findings, Trial

SCALES = (1.0, 1e3, 1e-3)  # grad_output of ordinary size, large and small: clipping, rounding


def _pass(trial: Trial, probes: np.ndarray) -> tuple[list[np.ndarray] | None, str]:
    """``backward(v, cache)`` for every row ``v`` of ``probes``, or None and what went wrong."""
    out = [np.empty((len(probes),) + a.shape) for a in trial.arrays]
    for p, probe in enumerate(probes):
        grads, problems = run_backward(
            trial.backward, probe.reshape(trial.output.shape), trial.cache, trial.arrays,
            trial.names,
        )  # fmt: skip
        if grads is None:
            return None, problems[-1].message
        for block, grad in zip(out, grads, strict=True):
            block[p] = grad
    return out, ""


def _worst(
    trial: Trial,
    got: list[np.ndarray],
    expected: list[np.ndarray],
    scale: list[np.ndarray],
    largest: float,
) -> tuple[str, float, float] | None:
    """Where ``got`` differs most from ``expected`` beyond round-off (None if nowhere): the
    entry, expected and got; ``scale`` is ``|v|·|J|`` per entry, ``largest`` the largest
    ``|v|``."""
    worst, found = 1.0, None
    for k, name in enumerate(trial.names):
        natural = largest * spread(trial.output) / spread(trial.arrays[k])
        tolerance = exact_tolerance(scale[k], natural, trial.rtol)
        ratio = np.abs(got[k] - expected[k]) / tolerance
        if ratio.max() > worst:
            position = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
            index = ",".join(map(str, position[1:]))
            worst = float(ratio.max())
            found = (f"{name}[{index}]", float(expected[k][position]), float(got[k][position]))
    return found


def cache_effects(trial: Trial, closed: list[np.ndarray]) -> Findings:
    """The probes again on the same cache: a harmful write shows as a different result."""
    again, error = _pass(trial, trial.probes)
    message = "backward modified the cache in place; a second call would differ"
    if again is None:
        return Findings([Failure("backward", f"{message}: it failed ({error})")])
    scale = [np.abs(c) for c in closed]
    where = _worst(trial, again, closed, scale, float(np.abs(trial.probes).max()))
    if where is None:
        return Findings()
    entry, first, second = where
    detail = f"{entry}: {first:.10g} on the first call, {second:.10g} on the second"
    return Findings([Failure("backward", f"{message} ({detail}); copy before writing")])


def linearity(trial: Trial, closed: list[np.ndarray]) -> Findings:
    """Gaussian and scaled probes against the matching combination of one-hot results."""
    if not trial.one_hot:  # random probes are compared with finite differences directly
        return Findings()
    rng = np.random.default_rng(trial.seed + 3)
    m = trial.output.size
    for factor in SCALES:
        v = factor * rng.standard_normal(m)
        label = "a Gaussian grad_output" + (f" scaled by {factor:g}" if factor != 1 else "")
        got, error = _pass(trial, v[None])
        if got is None:
            return Findings([Failure("backward", f"backward failed on {label}: {error}")])
        rows = [c.reshape(m, -1) for c in closed]
        expected = [(v @ r).reshape(g.shape) for r, g in zip(rows, got, strict=True)]
        scale = [(np.abs(v) @ np.abs(r)).reshape(g.shape) for r, g in zip(rows, got, strict=True)]
        where = _worst(trial, got, expected, scale, float(np.abs(v).max()))
        if where is not None:
            entry, combined, direct = where
            message = (
                f"backward is not linear in grad_output: on {label}, {entry} is {direct:.10g}, "
                f"but the one-hot results combine to {combined:.10g}; do not clip, round or "
                "branch on grad_output"
            )
            return Findings([Failure("backward", message)])
    return Findings()


def _elsewhere(trial: Trial) -> list[np.ndarray]:
    """Other inputs of the same shapes and signs: each rolled by one element and moved by up
    to 1 %, so that a value, mask or norm left behind by their forward differs."""
    rng = np.random.default_rng(trial.seed + 4)
    moved = []
    for a in trial.arrays:
        rolled = np.roll(a.reshape(-1), 1).reshape(a.shape)
        moved.append(rolled * (1 + 0.01 * rng.uniform(-1.0, 1.0, a.shape)))
    return moved


def stale_state(trial: Trial, closed: list[np.ndarray]) -> Findings:
    """A forward at other inputs, then the probes again on the first cache."""
    try:
        trial.forward(*_elsewhere(trial))
    except Exception as error:
        note = (
            "stale-state check skipped: forward raised at other inputs (the sample's elements "
            f"rolled by one and moved by 1%): {type(error).__name__}: {error}"
        )
        return Findings(notes=[note])
    again, error = _pass(trial, trial.probes)
    message = (
        "backward reads state the last forward call left behind, not only its cache: after a "
        "forward at other inputs, backward on the first call's cache changed"
    )
    if again is None:
        return Findings([Failure("backward", f"{message}: it failed ({error})")])
    largest = float(np.abs(trial.probes).max())
    where = _worst(trial, again, closed, [np.abs(c) for c in closed], largest)
    if where is None:
        return Findings()
    entry, before, after = where
    detail = f"{entry} from {before:.10g} to {after:.10g}"
    return Findings([Failure("backward", f"{message} {detail}; keep what backward needs in it")])


def backward_protocols(trial: Trial, closed: list[np.ndarray]) -> Findings:
    """Cache effects, then linearity and stale state (judged only on a cache left intact)."""
    found = cache_effects(trial, closed)
    if found.failures:
        return found
    for check in (linearity, stale_state):
        more = check(trial, closed)
        found.failures += more.failures
        found.notes += more.notes
    return found
