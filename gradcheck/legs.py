"""The two exact legs: the closed form (the backward) and the symbolic (SymPy's Jacobian).

Both give ``v·∂y/∂x`` for the output probes ``v`` exactly, up to round-off; the numeric leg
(:mod:`gradcheck.numeric`) is the third.  The closed form also checks the backward's contract
on every probe, and the symbolic leg records whether the derivation's closed index form was
proven equal to SymPy's derivative (:mod:`gradcheck.proof`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from gradcheck.contract import run_backward
from gradcheck.misuse import explain
from gradcheck.naming import difference, renamer
from gradcheck.proof import prove
from gradcheck.report import Failure
from gradcheck.symbolic import Derivative, SymbolicLeg
from gradcheck.trial import Findings, Trial


def _short(expression: Any, limit: int = 120) -> str:
    text = str(expression)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Exact:
    """The exact legs at the trial's probes: ``closed`` (the backward's ``v·J``, shaped
    ``(probes, *input.shape)`` per input) and ``blocks`` (SymPy's Jacobian, shaped
    ``output + input`` per input, or None without a usable derivation)."""

    closed: list[np.ndarray]
    blocks: list[np.ndarray] | None


def symbolic(trial: Trial, derivation: Any) -> tuple[list[np.ndarray] | None, Findings]:
    """The symbolic Jacobian blocks at the sample (None if the derivation itself failed).

    The findings hold the derivation's failures and whether its closed index form was proven
    equal to SymPy's derivative (``proof``).  The leg and the proof share one SymPy derivative.
    """
    found = Findings()
    arrays, names, output = trial.arrays, trial.names, trial.output
    shapes = [a.shape for a in arrays]
    shared = None
    try:
        shared = Derivative(derivation.expressions, shapes)
        value, blocks = SymbolicLeg(derivation.expressions, shapes, shared)(arrays)
    except Exception as error:
        found.failures.append(Failure("derivation", explain("expressions()", error)))
        return None, found
    if value.shape != output.shape:
        message = f"derivation's output has shape {value.shape}, the layer's {output.shape}"
        found.failures.append(Failure("derivation", message))
        return None, found
    gap = np.abs(value - output)
    rtol = max(1e-9, trial.rtol)  # a float32 forward agrees to float32's resolution only
    if np.any(gap > rtol * (np.abs(output) + np.abs(output).max() + 1e-300)):
        where = tuple(int(i) for i in np.unravel_index(np.argmax(gap), gap.shape))
        message = (
            f"derivation's forward differs from the layer's at y{list(where)}: "
            f"{value[where]:.10g} vs {output[where]:.10g}; they describe different functions"
        )
        found.failures.append(Failure("derivation", message))
        return None, found
    if getattr(derivation, "jacobian", None) is None:
        return blocks, found
    try:
        disproofs = prove(derivation.expressions, derivation.jacobian, shapes, shared)
    except Exception as error:
        found.failures.append(Failure("derivation", explain("jacobian()", error)))
        found.proof = "failed"
        return blocks, found
    found.proof = "disproved" if disproofs else "proved"
    at_shapes = any(d.message is None for d in disproofs)  # all-size ones speak already
    rename = renamer(shared.value()[0], names) if at_shapes else {}
    for d in disproofs:
        closed, wanted = (sp.sympify(e).xreplace(rename) for e in (d.closed, d.sympy))
        message = d.message or (
            f"closed index form ∂y{list(d.output_index)}/∂{names[d.input]}{list(d.input_index)}"
            f" = {_short(closed)} is not SymPy's derivative {_short(wanted)}; closed form − "
            f"derivative = {_short(difference(closed, wanted), 200)}"
        )
        found.failures.append(Failure("derivation", message))
    return blocks, found


def exact_legs(trial: Trial, closed: list[np.ndarray], derivation: Any) -> tuple[Exact, Findings]:
    """The closed form with the symbolic leg beside it, when the trial's size allows SymPy."""
    if derivation is None:
        note = "no derivation: backward checked against finite differences only"
        return Exact(closed, None), Findings(notes=[] if trial.project else [note])
    if trial.project:
        note = "symbolic leg skipped: inputs too large for SymPy"
        return Exact(closed, None), Findings(notes=[note])
    blocks, found = symbolic(trial, derivation)
    return Exact(closed, blocks), found


def closed_form(trial: Trial) -> tuple[list[np.ndarray] | None, Findings]:
    """``probes @ J`` from the backward, ``(probes, *input.shape)`` per input (None when the
    backward broke its contract: the findings say how)."""
    arrays, names, output = trial.arrays, trial.names, trial.output
    found = Findings(method=trial.probe_label)
    closed = [np.empty((len(trial.probes),) + a.shape) for a in arrays]
    seen = set()
    for p, probe in enumerate(trial.probes):
        grad_output = probe.reshape(output.shape)
        grads, problems = run_backward(trial.backward, grad_output, trial.cache, arrays, names)
        for problem in problems:  # each problem once, however many probes show it
            if problem.message not in seen:
                seen.add(problem.message)
                found.failures.append(problem)
        if grads is None:
            return None, found
        if p == 0:
            low = {
                str(g.dtype): n for n, g in zip(names, grads, strict=True) if g.dtype.itemsize < 8
            }
            for dtype, input_name in low.items():
                found.notes.append(
                    f"backward returned {dtype} gradients for float64 inputs ('{input_name}'):"
                    " they are only float32-accurate"
                )
        for block, grad in zip(closed, grads, strict=True):
            block[p] = grad
    found.elements = sum(c.size for c in closed)
    return closed, found
