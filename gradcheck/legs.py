"""The two exact legs: the closed form (the backward) and the symbolic (SymPy's Jacobian).

Both give ``v·∂y/∂x`` for the output probes ``v`` exactly, up to round-off; the numeric leg
(:mod:`gradcheck.numeric`) is the third.  The closed form also checks the backward's contract
on every probe, and the symbolic leg records whether the derivation's closed index form was
proven equal to SymPy's derivative (:mod:`gradcheck.proof`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradcheck.contract import run_backward
from gradcheck.misuse import explain
from gradcheck.proof import prove
from gradcheck.report import Failure, Report
from gradcheck.symbolic import SymbolicLeg


def _short(expression: Any, limit: int = 120) -> str:
    text = str(expression)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def symbolic(
    report: Report, derivation: Any, arrays: list[np.ndarray], names: list[str], output: np.ndarray
) -> list[np.ndarray] | None:
    """The symbolic Jacobian blocks at the sample (None if the derivation itself failed).

    Failures of the derivation are added to the report, and ``report.proof`` records whether
    its closed index form was proven equal to SymPy's derivative.
    """
    shapes = [a.shape for a in arrays]
    try:
        value, blocks = SymbolicLeg(derivation.expressions, shapes)(arrays)
    except Exception as error:
        report.failures.append(Failure("derivation", explain("expressions()", error)))
        return None
    if value.shape != output.shape:
        message = f"derivation's output has shape {value.shape}, the layer's {output.shape}"
        report.failures.append(Failure("derivation", message))
        return None
    gap = np.abs(value - output)
    if np.any(gap > 1e-9 * (np.abs(output) + np.abs(output).max() + 1e-300)):
        where = tuple(int(i) for i in np.unravel_index(np.argmax(gap), gap.shape))
        message = (
            f"derivation's forward differs from the layer's at y{list(where)}: "
            f"{value[where]:.10g} vs {output[where]:.10g}; they describe different functions"
        )
        report.failures.append(Failure("derivation", message))
        return None
    if getattr(derivation, "jacobian", None) is None:
        return blocks
    try:
        disproofs = prove(derivation.expressions, derivation.jacobian, shapes)
    except Exception as error:
        report.failures.append(Failure("derivation", explain("jacobian()", error)))
        report.proof = "failed"
        return blocks
    report.proof = "disproved" if disproofs else "proved"
    for d in disproofs:
        message = d.message or (
            f"closed index form ∂y{list(d.output_index)}/∂{names[d.input]}{list(d.input_index)}"
            f" = {_short(d.closed)} is not SymPy's derivative {_short(d.sympy)}"
        )
        report.failures.append(Failure("derivation", message))
    return blocks


def closed_form(
    backward: Callable,
    probes: np.ndarray,
    output: np.ndarray,
    cache: Any,
    arrays: list[np.ndarray],
    names: list[str],
    notes: list[str] | None,
) -> list[np.ndarray] | Failure:
    """``probes @ J`` from the backward, ``(probes, *input.shape)`` per input."""
    closed = [np.empty((len(probes),) + a.shape) for a in arrays]
    for p, probe in enumerate(probes):
        grads = run_backward(backward, probe.reshape(output.shape), cache, arrays, names)
        if isinstance(grads, Failure):
            return grads
        if p == 0 and notes is not None:
            low = {
                str(g.dtype): n for n, g in zip(names, grads, strict=True) if g.dtype.itemsize < 8
            }
            for dtype, input_name in low.items():
                notes.append(
                    f"backward returned {dtype} gradients for float64 inputs ('{input_name}'):"
                    " they are only float32-accurate"
                )
        for block, grad in zip(closed, grads, strict=True):
            block[p] = grad
    return closed
