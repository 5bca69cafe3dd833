"""The three-way check: closed form (backward), symbolic (SymPy) and numeric (finite differences).

Every leg computes ``v·∂y/∂x`` for the same output probes ``v``: one-hot probes (the whole
Jacobian, entry by entry) when the output is small, random Gaussian probes otherwise.

A check is a few stages, each returning its :class:`~gradcheck.trial.Findings`:

1. run the forward under its contract and build the :class:`~gradcheck.trial.Trial`;
2. the closed form on every probe (:mod:`gradcheck.legs`), under the backward's contract,
   and that contract's effects: cache writes, linearity, stale state (:mod:`gradcheck.protocols`);
3. the symbolic leg and the proof of the closed index form, when a derivation is given;
4. the numeric leg, by the cheapest strategy the trial allows (:mod:`gradcheck.strategies`),
   and the verdicts against the exact legs (:mod:`gradcheck.verdict`).

Only :func:`_report` writes the :class:`Report`.  The derivation's forward is compared with the
layer's before anything else, so that a numeric leg disagreeing with two agreeing exact legs
cannot hide a derivation of the wrong function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np

from gradcheck.arguments import validate_call
from gradcheck.legs import Exact, closed_form, exact_legs
from gradcheck.protocols import backward_protocols
from gradcheck.report import Failure, GradientCheckFailed, Report
from gradcheck.strategies import choose
from gradcheck.trial import Findings, ForwardRaised, Trial, begin

SUBTLE = 1e-5  # below this, an error is rounding or a misplaced constant, not a wrong formula
MAX_ELEMENTWISE = 20_000  # beyond this many input elements, random projections


def bind(derivation: Any, **hyper: Any) -> SimpleNamespace:
    """A derivation module with hyperparameters bound, like ``functools.partial`` for a layer."""
    from functools import partial

    bound = SimpleNamespace(expressions=partial(derivation.expressions, **hyper))
    if hasattr(derivation, "jacobian"):
        bound.jacobian = partial(derivation.jacobian, **hyper)
    return bound


def _as_derivation(derivation: Any) -> Any:
    if derivation is None or hasattr(derivation, "expressions"):
        return derivation
    if callable(derivation):
        return SimpleNamespace(expressions=derivation)
    raise TypeError(
        "derivation must be a module or object with expressions(), or the expressions function"
    )


def _check(
    forward: Callable,
    backward: Callable,
    inputs: Sequence[np.ndarray],
    derivation: Any = None,
    *,
    seed: int = 0,
    names: Sequence[str] | None = None,
    name: str = "layer",
    step: float = 1e-3,
    max_elementwise: int = MAX_ELEMENTWISE,
) -> Report:
    """:func:`check` without the network localisation: the stages in order, each returning
    its findings, until one leaves nothing to compare."""
    __tracebackhide__ = True
    derivation = _as_derivation(derivation)
    arrays, names, notes = validate_call(
        forward, backward, inputs, names, seed=seed, step=step, max_elementwise=max_elementwise
    )
    project = sum(a.size for a in arrays) > max_elementwise
    trial, found = begin(forward, backward, arrays, names, step=step, seed=seed, project=project)
    stages = [Findings(notes=notes), found]
    if trial is not None:
        closed, found = closed_form(trial)
        stages.append(found)
        if closed is not None:
            stages.append(backward_protocols(trial, closed))
            exact, found = exact_legs(trial, closed, derivation)
            stages.append(found)
            stages.append(trial.step_notes())
            stages.append(_numeric(trial, exact))
    return _report(name, stages)


def _numeric(trial: Trial, exact: Exact) -> Findings:
    """The numeric leg by the strategy the trial allows, and its verdicts."""
    try:
        return choose(trial, exact).run(trial, exact)
    except ForwardRaised as error:
        message = (
            f"forward raised {error} at inputs moved by finite-difference steps ({trial.step:g} "
            "of each input's spread): it must be defined around the sample; check at a sample "
            "farther from its domain's edge, or with a smaller step="
        )
        return Findings([Failure("numeric", message)])


def _report(name: str, stages: list[Findings]) -> Report:
    """The report of what the stages found, the most telling failure first."""
    report = Report(name=name)
    method = "".join(stage.method for stage in stages)
    report.method = method or report.method
    for stage in stages:
        report.failures += stage.failures
        report.errors.update(stage.errors)
        report.kinks += stage.kinks
        report.notes += stage.notes
        report.elements = report.elements if stage.elements is None else stage.elements
        report.proof = stage.proof or report.proof
    # contract failures first, then elements by how far they are outside their budget
    report.failures.sort(key=lambda f: (f.index is not None, -f.abs_error / (f.budget + 1e-300)))
    wrong = [f for f in report.failures if f.index is not None and f.blame == "backward"]
    if wrong and max(f.rel_error for f in wrong) < SUBTLE:
        report.notes.append(
            f"every wrong element is off by less than {SUBTLE:.0e} relative: typical of float32"
            " arithmetic, or of a constant such as eps in the wrong place"
        )
    return report


def check(
    forward: Callable,
    backward: Callable,
    inputs: Sequence[np.ndarray],
    derivation: Any = None,
    *,
    seed: int = 0,
    names: Sequence[str] | None = None,
    name: str | None = None,
    step: float = 1e-3,
    max_elementwise: int = MAX_ELEMENTWISE,
) -> Report:
    """Check ``backward`` against SymPy (when ``derivation`` is given) and finite differences.

    ``forward(*inputs) -> (output, cache)`` and ``backward(grad_output, cache) -> grads`` follow
    the layer contract; bind hyperparameters with ``functools.partial`` (and a derivation module
    with :func:`bind`).  Inputs with more than ``max_elementwise`` elements in all are checked
    by random projections (:mod:`gradcheck.projection`).  ``name`` heads the report: by
    default "layer", or a composed network's layers (``dense-relu-dense``).  Returns a
    :class:`Report`; raises ``TypeError``/``ValueError`` only when called wrongly.
    """
    __tracebackhide__ = True  # a wrong call: pytest shows the caller's line and the message
    if name is None:  # a network from gradcheck.compose is named by its layers
        stages = getattr(forward, "stages", None)
        name = "-".join(stage.name for stage in stages) if stages else "layer"
    report = _check(
        forward, backward, inputs, derivation,
        seed=seed, names=names, name=name, step=step, max_elementwise=max_elementwise,
    )  # fmt: skip
    if not report.passed and getattr(forward, "stages", None):
        # a network from gradcheck.compose: name the layer where the error is made
        from gradcheck.network import first_wrong_stage  # network imports this module

        report.notes.append(first_wrong_stage(forward, backward, inputs, seed=seed, step=step))
    return report


def assert_gradients(*args: Any, **kwargs: Any) -> Report:
    """:func:`check`, raising :class:`~gradcheck.report.GradientCheckFailed` (an
    ``AssertionError``) with the report's text when it fails; returns the report otherwise."""
    __tracebackhide__ = True  # pytest shows the caller's line and the report, not this frame
    report = check(*args, **kwargs)
    if not report.passed:
        raise GradientCheckFailed(report)
    return report
