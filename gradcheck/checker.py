"""The three-way check: closed form (backward), symbolic (SymPy) and numeric (finite differences).

Every leg computes ``v·∂y/∂x`` for the same output probes ``v``: one-hot probes (the whole
Jacobian, entry by entry) when the output is small, random Gaussian probes otherwise.

Inputs too large for one difference per element are checked by random projections instead
(:mod:`gradcheck.projection`).  The exact legs are in :mod:`gradcheck.legs`, elements grouped by
the Jacobian's sparsity in :mod:`gradcheck.grouping`, tolerances and blame in
:mod:`gradcheck.verdict`.  The derivation's forward is compared with the layer's before anything
else, so that a numeric leg disagreeing with two agreeing exact legs cannot hide a derivation of
the wrong function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np

from gradcheck.arguments import validate_call
from gradcheck.contract import run_forward
from gradcheck.grouping import column_groups, grouped_differences, sparsity_pattern
from gradcheck.legs import closed_form, symbolic
from gradcheck.numeric import central_differences, forward_noise
from gradcheck.projection import DIRECTIONS, Projector
from gradcheck.report import Failure, GradientCheckFailed, Report
from gradcheck.verdict import compare_projected, verdicts

MAX_ONE_HOT_OUTPUTS = 256
RANDOM_PROBES = 3
SUBTLE = 1e-5  # below this, an error is rounding or a misplaced constant, not a wrong formula
MAX_ELEMENTWISE = 20_000  # beyond this many input elements, random projections
PATTERN_LIMIT = 16_000_000  # outputs × elements: bytes of a boolean sparsity pattern


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
    """:func:`check` without the network localisation."""
    derivation = _as_derivation(derivation)
    arrays, names, notes = validate_call(
        forward, backward, inputs, names, seed=seed, step=step, max_elementwise=max_elementwise
    )
    report = Report(name=name, notes=notes)
    ran = run_forward(forward, arrays, names)
    if isinstance(ran, Failure):
        report.failures.append(ran)
        return report
    output, cache = ran
    if output.dtype.itemsize < 8:
        # Its round-off would read as a wrong derivation (the exact legs compare to 1e-10) or
        # as kinks; the honest verdict is that this forward cannot be checked in float64.
        message = (
            f"forward returned {output.dtype} for float64 inputs: a check needs float64"
            " arithmetic; compute in the inputs' dtype (no cast to float32 inside forward)"
        )
        report.failures.append(Failure("forward", message))
        return report
    output = output.astype(np.float64)
    m = output.size
    project = sum(a.size for a in arrays) > max_elementwise
    one_hot = m <= MAX_ONE_HOT_OUTPUTS and not project
    probes = (
        np.eye(m) if one_hot else np.random.default_rng(seed).standard_normal((RANDOM_PROBES, m))
    )
    report.method = "one-hot probes" if one_hot else f"{RANDOM_PROBES} random output probes"
    closed = closed_form(backward, probes, output, cache, arrays, names, notes)
    if isinstance(closed, Failure):
        report.failures.append(closed)
        return report
    report.elements = sum(c.size for c in closed)

    def f(xs: list[np.ndarray]) -> np.ndarray:
        return np.asarray(forward(*xs)[0], dtype=np.float64).reshape(-1)

    noise = forward_noise(f, arrays, seed)

    if project:
        report.method += f" x {DIRECTIONS} random input directions"
        if derivation is not None:
            notes.append("symbolic leg skipped: inputs too large for SymPy")
        projector = Projector(f, arrays, probes, step, noise)
        failures, report.errors, more = compare_projected(projector, closed, names, seed)
        report.failures += failures
        notes += more
        return report

    blocks = None
    if derivation is not None:
        blocks = symbolic(report, derivation, arrays, names, output)
    else:
        notes.append("no derivation: backward checked against finite differences only")
    pattern = sparsity_pattern(
        closed, one_hot, blocks, backward, output, cache, arrays, PATTERN_LIMIT
    )
    legs = (closed, blocks, probes, names, arrays, one_hot, output)
    groups = None if pattern is None else column_groups(pattern)
    # a scalar loss has a dense row: groups of one element each, and in-place steps are cheaper
    if groups is None or 2 * len(groups) > pattern.shape[1]:
        found, errors, kinks = verdicts(central_differences(f, arrays, probes, step, noise), *legs)
    else:
        projector = Projector(f, arrays, probes, step, noise)
        shapes = [a.shape for a in arrays]
        numeric, missing = grouped_differences(projector, pattern, shapes, groups, seed)
        found, errors, kinks = verdicts(numeric, *legs)
        plural = "group of elements" if len(groups) == 1 else "groups of elements"
        report.method += f", {len(groups)} {plural} with disjoint outputs"
        if found or missing:
            # Groups trusted the backward's sparsity; with the backward in doubt, difference one
            # element at a time, so that the report names the wrong element and not a sibling.
            numeric = central_differences(f, arrays, probes, step, noise)
            found, errors, kinks = verdicts(numeric, *legs)
            report.method += ", then one element at a time after a failure"
    report.failures += found
    report.errors.update(errors)
    report.kinks += kinks
    report.failures.sort(key=lambda f: (f.index is not None, -f.abs_error / (f.budget + 1e-300)))
    wrong = [f for f in report.failures if f.index is not None and f.blame == "backward"]
    if wrong and max(f.rel_error for f in wrong) < SUBTLE:
        notes.append(
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
