"""Finite-difference error against step size: the V-shaped curve.

Along a random direction ``u`` (all inputs at once, unit norm) and for a random output probe
``v``, the central difference ``D(h) = v·(f(x + h u) - f(x - h u)) / 2h`` has two errors:

* truncation, ``v·f'''(x)[u,u,u] h² / 6``: it falls as h² (slope 2 on log-log axes);
* round-off, about ``ε |v|·|f(x)| / h``: it grows as 1/h (slope -1).

Their sum is smallest near ``h ≈ ∛ε`` ≈ 1e-5, the bottom of the V.  The error is measured
against the backward's ``v·J u``: a wrong backward adds a constant, and the curve levels off at
the size of the bug instead of falling.  Beside it, the V a right backward gives: the same
differences measured against their own best value, where two neighbouring steps agree most
(the bottom of the V, an estimate of the true derivative).  At a failing element, ``u`` and
``v`` are that element's input and output (one-hot), so the plot shows that very entry.
matplotlib is needed only to draw the curve.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_STEPS = np.logspace(-12, -1, 45)
AWAY_FROM_BOTTOM = 30.0  # fit each branch only where the other error is negligible


@dataclass(frozen=True)
class StepCurve:
    """Relative error ``|D(h) - v·J u| / |v·J u|`` of the central difference at each step,
    and ``reference``, the error a right backward would have (against the best estimate of
    the true derivative, ``estimate``)."""

    steps: np.ndarray
    errors: np.ndarray
    exact: float
    reference: np.ndarray
    estimate: float

    @property
    def floor(self) -> float:
        """The smallest error of the backward's curve: where a wrong one levels off."""
        return float(np.min(self.errors))

    def caption(self) -> str:
        """One line saying what the shape means."""
        best = float(np.min(self.reference))
        if self.floor > max(100 * best, 1e-6):
            return (
                f"Levels off at {self.floor:.2g}: at every step the backward's value "
                f"{self.exact:.6g} stays {self.floor:.2g} (relative) from the finite "
                f"differences, which settle at {self.estimate:.6g} as a right backward's V "
                "shows: the backward is wrong here, not the finite differences."
            )
        return (
            f"Follows the V of a right backward (bottom {self.floor:.1e} at h = "
            f"{self.best_step:.0e}): round-off falls as 1/h, truncation rises as h²."
        )

    @property
    def best_step(self) -> float:
        return float(self.steps[int(np.argmin(self.errors))])

    def slopes(self, of: str = "errors") -> tuple[float, float]:
        """Least-squares slopes of log error against log h: (round-off branch, truncation
        branch), each fitted where h is at least 30 times from the bottom of the V, for the
        backward's curve or (``of="reference"``) a right backward's.  A right backward of a
        smooth function gives about (-1, 2); NaN when a branch has < 3 points."""
        errors = self.errors if of == "errors" else self.reference
        log_h, log_e = np.log10(self.steps), np.log10(np.maximum(errors, 1e-300))
        bottom = np.log10(float(self.steps[int(np.argmin(errors))]))
        margin = np.log10(AWAY_FROM_BOTTOM)
        fitted = []
        for side in (log_h < bottom - margin, log_h > bottom + margin):
            usable = side & (errors > 0)
            fitted.append(
                float(np.polyfit(log_h[usable], log_e[usable], 1)[0])
                if usable.sum() >= 3
                else float("nan")
            )
        return fitted[0], fitted[1]


def error_vs_step(
    forward: Callable[..., tuple[Any, Any]],
    backward: Callable[[np.ndarray, Any], Sequence[np.ndarray]],
    inputs: Sequence[np.ndarray],
    *,
    steps: Sequence[float] | np.ndarray = DEFAULT_STEPS,
    seed: int = 0,
    element: tuple[int, tuple[int, ...]] | None = None,
    output: tuple[int, ...] | None = None,
) -> StepCurve:
    """The central difference's error at each step, against the backward's gradient.

    ``forward(*inputs) -> (y, cache)`` and ``backward(v, cache) -> grads`` follow the layer
    contract (bind hyperparameters with ``functools.partial``).  ``element = (k, index)``
    moves that element of input ``k`` alone, and ``output`` probes that output element alone;
    otherwise ``u`` and ``v`` are standard normal draws from ``seed``, ``u`` of unit norm.
    """
    arrays = [np.asarray(a, dtype=np.float64) for a in inputs]
    rng = np.random.default_rng(seed)
    y, cache = forward(*arrays)
    probe = rng.standard_normal(np.shape(y))
    if output is not None:
        probe = np.zeros(np.shape(y))
        probe[tuple(output)] = 1.0
    direction = [rng.standard_normal(a.shape) for a in arrays]
    if element is not None:
        direction = [np.zeros(a.shape) for a in arrays]
        direction[element[0]][tuple(element[1])] = 1.0
    norm = np.sqrt(sum(float(np.sum(d**2)) for d in direction))
    direction = [d / norm for d in direction]
    grads = backward(probe.copy(), cache)
    exact = float(sum(np.sum(g * d) for g, d in zip(grads, direction, strict=True)))

    def along(t: float) -> float:
        shifted = [a + t * d for a, d in zip(arrays, direction, strict=True)]
        return float(np.sum(probe * np.asarray(forward(*shifted)[0], dtype=np.float64)))

    steps = np.asarray(steps, dtype=np.float64)
    central = np.array([(along(h) - along(-h)) / (2 * h) for h in steps])
    # the true derivative, estimated where two neighbouring steps agree best
    flattest = int(np.argmin(np.abs(np.diff(central))))
    estimate = float(central[flattest : flattest + 2].mean())
    scale = max(abs(exact), abs(estimate)) or 1.0
    errors, reference = np.abs(central - exact) / scale, np.abs(central - estimate) / scale
    return StepCurve(steps, errors, exact, reference, estimate)


def _branches(curve: StepCurve) -> tuple[np.ndarray, np.ndarray]:
    bottom = float(curve.steps[int(np.argmin(curve.reference))])
    return curve.steps < bottom / AWAY_FROM_BOTTOM, curve.steps > bottom * AWAY_FROM_BOTTOM


def draw(curve: StepCurve, ax: Any, title: str = "", step_used: float | None = None) -> None:
    """Plot the curve on matplotlib axes, log-log, with both branches' slopes annotated.

    Dashed guides of slope -1 and 2 run through the median of each branch that follows its
    law; a branch with too few points (a linear layer has no truncation error, a wrong
    backward levels off) is said to be missing.
    """
    h, e = curve.steps, np.maximum(curve.errors, 1e-18)
    reference = np.maximum(curve.reference, 1e-18)
    ax.loglog(h, e, "o-", markersize=3, label="against this backward")
    ax.loglog(
        h, reference, "-", color="0.6", linewidth=3, alpha=0.6,
        label="a right backward's V (against the best estimate)", zorder=0,
    )  # fmt: skip
    if step_used is not None:
        ax.axvline(
            step_used, color="0.3", linestyle=":", label=f"step the check used, {step_used:.0e}"
        )
    fitted = curve.slopes(of="reference")  # the right backward's V: its two branches
    guides = (
        ("round-off", -1.0, "tab:orange", 0.03, "round-off ∝ ε/h"),
        ("truncation", 2.0, "tab:green", 0.55, "truncation ∝ h²"),
    )
    for branch, slope, (name, theory, colour, x, law) in zip(
        _branches(curve), fitted, guides, strict=True
    ):
        text = f"{name}: no branch" if np.isnan(slope) else f"{name}: slope {slope:.2f}"
        if abs(slope - theory) < 0.5:  # a guide only where the branch follows the law
            anchor = float(np.median(reference[branch] / h[branch] ** theory))
            ax.loglog(h, anchor * h**theory, "--", color=colour, label=f"slope {theory:g}: {law}")
        ax.annotate(text, xy=(x, 0.92), xycoords="axes fraction", color=colour)
    low = min(float(e.min()), float(reference[reference > 1e-18].min(initial=e.min())))
    ax.set_ylim(max(low / 10, 1e-18), max(float(e.max()), float(reference.max())) * 30)
    ax.set_xlabel("step h")
    ax.set_ylabel("relative error of the central difference")
    ax.set_title(title or "finite-difference error against step size")
    ax.legend(loc="lower center", fontsize="small")


def save_plot(
    curve: StepCurve, path: str | Path, title: str = "", step_used: float | None = None
) -> Path:
    """Draw the curve into a PNG file (no display needed), its caption beneath.  Raises
    ImportError without matplotlib (the ``report`` extra)."""
    import textwrap

    from matplotlib.figure import Figure  # the object API: no GUI backend, no pyplot state

    figure = Figure(figsize=(7, 5.2))
    draw(curve, figure.add_subplot(), title, step_used)
    figure.text(0.02, 0.01, textwrap.fill(curve.caption(), 110), fontsize="small", va="bottom")
    figure.subplots_adjust(bottom=0.22)
    path = Path(path)
    figure.savefig(path, dpi=100)
    return path
