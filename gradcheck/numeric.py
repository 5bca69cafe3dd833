"""The numeric leg: central finite differences with Richardson extrapolation and kink detection.

Along a direction ``u`` (one input element, or a random pattern over all of them) the leg
estimates ``v·J u`` for every output probe ``v``.  With ``D(t) = (f(x + t u) - f(x - t u)) / 2t``
at t = h, h/2, h/4:

* Richardson: ``R(t) = (4 D(t/2) - D(t)) / 3`` removes the h² term, so the estimate
  ``R(h/2)`` is accurate to O(h⁴) and ``|R(h/2) - R(h)|`` bounds its truncation error
  (for a smooth function it overestimates it about 15-fold).  A right gradient's error
  shrinks 16-fold per halving; a bug's levels off, so it stands far outside this budget.
* Round-off: each forward value carries an error of about ``δ = 8 ε |v|·|y|``, or more where
  the forward's intermediates are large: measured by moving the inputs a few ulps
  (:func:`forward_noise`), and read off the steps themselves (the offset ``n`` of the kink
  fit below, zero but for round-off and truncation).  ``R(h/2)`` divides it by steps down to
  h/4, ``6 δ / h`` after the Richardson weights.
* Kinks: the one-sided jump ``J(t) = (f(x+t) - 2 f(x) + f(x-t)) / t`` is ``f'' t + O(t³)``
  where ``f`` is smooth.  Fitting ``J(t) = c + a t + b t³`` through t = h, h/2, h/4 gives the
  jump at t = 0: ``c = (16 J(h/4) - 10 J(h/2) + J(h)) / 7``, zero for any smooth function to
  third order.  A kink at x makes ``c`` the jump in slope; a kink crossed by the larger steps
  only makes it ``(J(h) - a h) / 7``.  Round-off that puts f(x) itself apart from its
  neighbours looks like ``n / t``, so a second fit, ``J(t) = n / t + c + a t``, gives
  ``c = -2 J(h/4) + 5 J(h/2) - 2 J(h)``; an element is a kink when both fits see a jump.
  Finite differences say nothing there, and the element is reported as a kink.

Steps follow the spread of each input's bulk, per element floored at ``√ε |x_e|``
(:mod:`gradcheck.steps`): a few elements far outside the rest do not set the others' steps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from gradcheck.steps import element_step

EPS = np.finfo(np.float64).eps
ROUNDOFF_SAFETY = 8.0  # forward passes lose a few digits more than one ulp of their output
BUDGET_SAFETY = 4.0
OFFSET_SAFETY = 4.0  # on the offset's exact leak into the cubic fit, 45 n / 7h


@dataclass
class Directional:
    """Per row (a probe ``v``, or an output when there are no probes): ``v·J u``, its error
    budget, whether finite differences saw a kink, and the one-sided slopes there with the
    error ``slack`` of their estimates."""

    value: np.ndarray
    budget: np.ndarray
    kinked: np.ndarray
    left: np.ndarray
    right: np.ndarray
    slack: np.ndarray
    # What :mod:`gradcheck.kinks` confirms a kink from: whether the offset fit alone sees a
    # jump (a kink at h/32 < d < h/4, crossed by every step, hides from the cubic fit while
    # inflating the budget to the size of the jump), that fit's jump in slope c and offset n
    # (n = -d c for a kink at distance d that every step crosses), and the parts of the
    # threshold it had to clear: round-off (∝ 1/h) and relative (independent of h).
    suspect: np.ndarray | None = None
    jump: np.ndarray | None = None
    offset: np.ndarray | None = None
    threshold: np.ndarray | None = None
    relative: np.ndarray | None = None

    @property
    def kink(self) -> bool:
        return bool(self.kinked.any())


def forward_noise(
    f: Callable[[list[np.ndarray]], np.ndarray], inputs: Sequence[np.ndarray], seed: int
) -> np.ndarray:
    """How far each output moves when every input moves by a few ulps: the forward's round-off.

    ``8 ε |y|`` underestimates it wherever the forward passes through large intermediates
    (attention scores of 880 carry ``ε · 880`` each), so this measured floor comes on top.
    """
    rng = np.random.default_rng(seed + 2)
    y0 = f(list(inputs))
    moved = [
        f([a * (1 + 4 * EPS * rng.choice([-1.0, 1.0], a.shape)) for a in inputs]) for _ in range(2)
    ]
    return np.maximum(np.abs(moved[0] - y0), np.abs(moved[1] - y0))


def directional_difference(
    shifted: Callable[[float], np.ndarray],
    y0: np.ndarray,
    probes: np.ndarray | None,
    h: float,
    noise_floor: np.ndarray | None = None,
) -> Directional:
    """Richardson estimate along one direction; ``shifted(t)`` is ``f(x + t u)`` flattened.

    With ``probes=None`` every output is its own row; ``noise_floor`` is the forward's measured
    round-off per output (:func:`forward_noise`).
    """

    def rows(v: np.ndarray) -> np.ndarray:
        return v if probes is None else probes @ v

    def abs_rows(v: np.ndarray) -> np.ndarray:
        return v if probes is None else np.abs(probes) @ v

    central, jump, noise = [], [], abs_rows(np.abs(y0))
    for t in (h, h / 2, h / 4):
        plus, minus = shifted(t), shifted(-t)
        central.append(rows(plus - minus) / (2 * t))
        jump.append(rows(plus - 2 * y0 + minus) / t)
        noise = np.maximum(noise, abs_rows(np.maximum(np.abs(plus), np.abs(minus))))
    delta = ROUNDOFF_SAFETY * EPS * noise
    if noise_floor is not None:
        delta = np.maximum(delta, ROUNDOFF_SAFETY * abs_rows(noise_floor))
    # The same three points fit N(t) = t J(t) = n + c t + a t²; the offset n is zero for a kink
    # at x and for a smooth function but for its t⁴ term, so it measures round-off and
    # truncation seen at these very steps: it floors δ in the estimate's budget.
    signed_offset = (8 * h / 4 * jump[2] - 6 * h / 2 * jump[1] + h * jump[0]) / 3
    offset = np.abs(signed_offset)
    roundoff, delta = delta, np.maximum(delta, offset / 2)
    coarse = (4 * central[1] - central[0]) / 3
    fine = (4 * central[2] - central[1]) / 3
    budget = BUDGET_SAFETY * (np.abs(fine - coarse) + 6 * delta / h)
    # Two fits of the jump through the three steps, each blind where the other sees: with a
    # cubic term (sharp smooth functions), and with an offset n/t (f(x) itself rounded apart
    # from its neighbours, or a kink at a distance d < h/4 that every step crosses: n = -d c).
    # A kink shows in both.  J carries 4 δ / t of round-off, which the fits' weights turn into
    # about 50 δ / h and 80 δ / h; the cubic fit also takes in 45 n / 7h of an offset, which
    # the offset fit does not see at all.  (Flooring both by the offset instead hid a kink at
    # d = 1.5e-5 from a step of 8.6e-4, and a right relu failed.)
    cubic_fit = np.abs(16 * jump[2] - 10 * jump[1] + jump[0]) / 7
    signed_jump = -2 * jump[2] + 5 * jump[1] - 2 * jump[0]
    offset_fit = np.abs(signed_jump)
    relative = 1e-6 * np.abs(fine)
    cubic_noise = BUDGET_SAFETY * 50 * roundoff / h + OFFSET_SAFETY * 45 / 7 * offset / h
    offset_roundoff = BUDGET_SAFETY * 80 * roundoff / h
    suspect = offset_fit > offset_roundoff + relative
    kinked = (cubic_fit > cubic_noise + relative) & suspect
    kinked |= ~np.isfinite(fine)
    half_jump = jump[2] / 2
    # The one-sided slopes (f(x ± h/4) - f(x)) / (h/4) are off by f'' h/8 where f curves beside
    # the kink, which the jump's change between steps bounds (it is f'' h/4); 8 δ / h of round-off.
    slack = BUDGET_SAFETY * (np.abs(jump[1] - jump[2]) + 8 * delta / h) + relative
    left, right = central[2] - half_jump, central[2] + half_jump
    return Directional(
        fine, budget, kinked, left, right, slack,
        suspect, signed_jump, signed_offset, offset_roundoff, relative,
    )  # fmt: skip


@dataclass
class NumericResult:
    """Per input: estimates and budgets shaped ``(probes, *input.shape)``, kinks per element,
    and at a kink the one-sided slopes and their slack per probe (NaN in rows without one)."""

    value: list[np.ndarray] = field(default_factory=list)
    budget: list[np.ndarray] = field(default_factory=list)
    kink: list[np.ndarray] = field(default_factory=list)
    left: list[np.ndarray] = field(default_factory=list)
    right: list[np.ndarray] = field(default_factory=list)
    slack: list[np.ndarray] = field(default_factory=list)
    distance: list[np.ndarray] = field(default_factory=list)  # to a confirmed kink, else NaN
    suspect: list[np.ndarray] = field(default_factory=list)  # to difference again, alone

    def append(
        self, value, budget, kink, left, right, slack, shape: tuple[int, ...], suspect=None
    ) -> None:
        """Add one input's results, given over its flattened elements."""
        rows = (len(value),) + shape
        self.distance.append(np.full(shape, np.nan))
        self.suspect.append(np.zeros(shape, bool) if suspect is None else suspect.reshape(shape))
        self.value.append(value.reshape(rows))
        self.budget.append(budget.reshape(rows))
        self.kink.append(kink.reshape(shape))
        self.left.append(left.reshape(rows))
        self.right.append(right.reshape(rows))
        self.slack.append(slack.reshape(rows))


SIDES = ("left", "right", "slack")  # the per-probe fields of NumericResult at a kink


def moving_one(
    f: Callable[[list[np.ndarray]], np.ndarray], inputs: list[np.ndarray], flat: np.ndarray, e: int
) -> Callable[[float], np.ndarray]:
    """``t -> f(inputs with element e of flat moved by t)``: one element moved, then put back
    (``flat`` is a flat view of one of ``inputs``)."""
    x = flat[e]

    def shifted(t: float) -> np.ndarray:
        flat[e] = x + t
        try:
            return f(inputs)
        finally:
            flat[e] = x

    return shifted


def central_differences(
    f: Callable[[list[np.ndarray]], np.ndarray],
    inputs: Sequence[np.ndarray],
    probes: np.ndarray,
    step: float = 1e-3,
    noise_floor: np.ndarray | None = None,
) -> NumericResult:
    """Richardson-extrapolated ``probes @ ∂f/∂x_e`` for every element of every input.

    ``f`` maps the list of inputs to the flattened float64 output; ``probes`` is ``(k, m)``.
    """
    inputs = [np.array(a, dtype=np.float64, order="C") for a in inputs]  # flat views, not copies
    y0 = f(inputs)
    result = NumericResult()
    for a in inputs:
        k = probes.shape[0]
        value, budget = np.zeros((k, a.size)), np.zeros((k, a.size))
        kink, sides = np.zeros(a.size, bool), [np.full((k, a.size), np.nan) for _ in SIDES]
        suspect = np.zeros(a.size, bool)
        flat = a.reshape(-1)
        steps = element_step(a, step).reshape(-1)
        for e in range(a.size):
            x = flat[e]
            shifted = moving_one(f, inputs, flat, e)
            # a step that x + h rounds exactly, so the difference quotient divides by the truth
            h = (x + steps[e]) - x
            d = directional_difference(shifted, y0, probes, h, noise_floor)
            value[:, e], budget[:, e], kink[e] = d.value, d.budget, d.kink
            suspect[e] = d.suspect.any()
            for side, name in zip(sides, SIDES, strict=True):
                side[:, e] = np.where(d.kinked, getattr(d, name), np.nan)
        result.append(value, budget, kink, *sides, a.shape, suspect)
    return result
