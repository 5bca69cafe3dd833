"""The numeric leg: central finite differences with Richardson extrapolation and kink detection.

For each input element ``x_e`` and output probe ``v`` (a row of ``probes``) the leg estimates
``d(v·y)/dx_e``.  With ``D(t) = (f(x + t) - f(x - t)) / 2t`` at t = h, h/2, h/4:

* Richardson: ``R(t) = (4 D(t/2) - D(t)) / 3`` removes the h² term, so the estimate
  ``R(h/2)`` is accurate to O(h⁴) and ``|R(h/2) - R(h)|`` bounds its truncation error
  (for a smooth function it overestimates it about 15-fold).
* Round-off: each forward value carries an error of about ``ε |v|·|y|``; ``R(h/2)`` divides it
  by steps down to h/4 (``6 δ / h`` after the Richardson weights).
* Kinks: the one-sided jump ``J(t) = (D+(t) - D-(t)) = (f(x+t) - 2 f(x) + f(x-t)) / t`` equals
  ``f'' t`` where ``f`` is smooth, so ``J(h) = 4 J(h/4)``.  A kink at x gives a jump that does not
  shrink; a kink crossed by the larger steps only gives ``J(h/4) ≈ 0 ≠ J(h) / 4``.  Either way the
  element is a kink, and finite differences say nothing about it.

The step follows the input's spread, per element floored at ``√ε |x_e|`` (see :func:`element_step`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

EPS = np.finfo(np.float64).eps
ROUNDOFF_SAFETY = 8.0  # forward passes lose a few digits more than one ulp of their output
BUDGET_SAFETY = 4.0


@dataclass
class NumericResult:
    """Per input: estimates and budgets shaped ``(probes, *input.shape)``, kinks per element."""

    value: list[np.ndarray]
    budget: list[np.ndarray]
    kink: list[np.ndarray]
    left: list[np.ndarray]
    right: list[np.ndarray]
    forward_calls: int


def element_step(x: np.ndarray, step: float) -> np.ndarray:
    """``step · spread(x)``, at least ``√ε · |x_e|`` so that round-off stays bounded.

    The spread (standard deviation, or the largest magnitude for a constant input, or 1 for
    zeros) is the scale the input varies on: logits of 1000 ± 1 are stepped by 1e-3, inputs of
    size 1e-6 by 1e-9.
    """
    spread = float(np.std(x)) if x.size > 1 else 0.0
    if spread == 0.0:
        spread = float(np.max(np.abs(x))) or 1.0
    return np.maximum(step * spread, np.sqrt(EPS) * np.abs(x))


def central_differences(
    f: Callable[[list[np.ndarray]], np.ndarray],
    inputs: Sequence[np.ndarray],
    probes: np.ndarray,
    step: float = 1e-3,
) -> NumericResult:
    """Richardson-extrapolated ``probes @ ∂f/∂x_e`` for every element of every input.

    ``f`` maps the list of inputs to the flattened float64 output; ``probes`` is ``(k, m)``.
    """
    inputs = [np.array(a, dtype=np.float64) for a in inputs]
    y0 = f(inputs)
    abs_probes = np.abs(probes)
    calls = 1
    result = NumericResult([], [], [], [], [], 0)
    for a in inputs:
        k = probes.shape[0]
        value, budget = np.zeros((k, a.size)), np.zeros((k, a.size))
        kink, left, right = np.zeros(a.size, bool), np.zeros(a.size), np.zeros(a.size)
        flat = a.reshape(-1)
        steps = element_step(a, step).reshape(-1)
        for e in range(a.size):
            x = flat[e]
            central, jump, noise = [], [], np.zeros(k)
            for t in (steps[e], steps[e] / 2, steps[e] / 4):
                flat[e] = x + t
                plus = f(inputs)
                flat[e] = x - t
                minus = f(inputs)
                flat[e] = x
                calls += 2
                up, down = (x + t) - x, x - (x - t)
                central.append(probes @ (plus - minus) / (up + down))
                jump.append(probes @ ((plus - y0) / up - (y0 - minus) / down))
                noise = np.maximum(noise, abs_probes @ np.maximum(np.abs(plus), np.abs(minus)))
            delta = ROUNDOFF_SAFETY * EPS * np.maximum(noise, abs_probes @ np.abs(y0))
            coarse = (4 * central[1] - central[0]) / 3
            fine = (4 * central[2] - central[1]) / 3
            roundoff = 6 * delta / steps[e]
            value[:, e] = fine
            budget[:, e] = BUDGET_SAFETY * (np.abs(fine - coarse) + roundoff)
            not_linear = np.abs(jump[0] - 4 * jump[2])
            kink_tolerance = 16 * 68 * delta / steps[e] + 1e-6 * np.abs(fine)
            worst = int(np.argmax(not_linear - kink_tolerance))
            if not_linear[worst] > kink_tolerance[worst] or not np.all(np.isfinite(fine)):
                kink[e] = True
                right[e] = central[2][worst] + jump[2][worst] / 2
                left[e] = central[2][worst] - jump[2][worst] / 2
        result.value.append(value.reshape((k,) + a.shape))
        result.budget.append(budget.reshape((k,) + a.shape))
        result.kink.append(kink.reshape(a.shape))
        result.left.append(left.reshape(a.shape))
        result.right.append(right.reshape(a.shape))
    result.forward_calls = calls
    return result
