"""The three-way check: closed form (backward), symbolic (SymPy) and numeric (finite differences).

Every leg computes ``v·∂y/∂x`` for the same output probes ``v``: one-hot probes (the whole
Jacobian, entry by entry) when the output is small, random Gaussian probes otherwise.

Inputs too large for one difference per element are checked by random projections instead
(:mod:`gradcheck.projection`).  Tolerances and blame are in :mod:`gradcheck.verdict`.  The
derivation's forward is compared with the layer's before anything else, so that a numeric leg
disagreeing with two agreeing exact legs cannot hide a derivation of the wrong function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np

from gradcheck.arguments import validate_call
from gradcheck.contract import run_backward, run_forward
from gradcheck.grouping import column_groups, grouped_differences
from gradcheck.misuse import explain
from gradcheck.numeric import central_differences, forward_noise, spread
from gradcheck.projection import DIRECTIONS, Projector
from gradcheck.proof import prove
from gradcheck.report import Failure, Kink, Report
from gradcheck.symbolic import SymbolicLeg
from gradcheck.verdict import compare_elements, compare_projected

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


def _short(expression: Any, limit: int = 120) -> str:
    text = str(expression)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _symbolic(report: Report, derivation: Any, arrays: list, names: list, output: np.ndarray):
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
        message = (
            f"closed index form ∂y{list(d.output_index)}/∂{names[d.input]}{list(d.input_index)}"
            f" = {_short(d.closed)} is not SymPy's derivative {_short(d.sympy)}"
        )
        report.failures.append(Failure("derivation", message))
    return blocks


def _closed_form(backward, probes, output, cache, arrays, names, notes) -> list | Failure:
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


def _pattern(closed, one_hot, blocks, backward, output, cache, arrays, names) -> np.ndarray | None:
    """The Jacobian's sparsity, ``(outputs, elements)``: the backward's, united with SymPy's."""
    m, n = output.size, sum(a.size for a in arrays)
    if not one_hot:
        if m * n > PATTERN_LIMIT:
            return None
        # the contract was checked on the probes; these calls only read the sparsity
        pattern = np.zeros((m, n), bool)
        for o in range(m):
            unit = np.zeros(m)
            unit[o] = 1.0
            try:
                grads = backward(unit.reshape(output.shape), cache)
                pattern[o] = np.concatenate([np.ravel(g) != 0 for g in grads])
            except Exception:
                return None
    else:
        pattern = np.concatenate([c.reshape(m, -1) != 0 for c in closed], axis=1)
    if blocks is not None:
        pattern |= np.concatenate([b.reshape(m, -1) != 0 for b in blocks], axis=1)
    return pattern


def _verdicts(numeric, closed, blocks, probes, names, arrays, one_hot, output):
    """Failures, largest errors per pair of legs, and kinks, over every input."""
    failures, errors, kinks = [], {}, []
    m = output.size
    for k, (input_name, a) in enumerate(zip(names, closed, strict=True)):
        s = None
        if blocks is not None:
            jac = blocks[k].reshape(m, -1)
            s = (probes @ jac).reshape(a.shape)
            scale = (np.abs(probes) @ np.abs(jac)).reshape(a.shape)
        else:
            scale = np.abs(a) + np.abs(numeric.value[k])
        found, pairs = compare_elements(
            input_name, a, s, numeric.value[k], numeric.budget[k], scale,
            numeric.kink[k], one_hot, output.shape,
            natural=float(np.abs(probes).max()) * spread(output) / spread(arrays[k]),
            one_sided=(numeric.left[k], numeric.right[k], numeric.slack[k]),
        )  # fmt: skip
        failures += found
        for pair, value in pairs.items():
            errors[pair] = max(errors.get(pair, 0.0), value)
        for position in np.argwhere(numeric.kink[k]):  # argwhere, unlike nonzero, takes 0-d
            index = tuple(int(i) for i in position)
            at = (slice(None),) + index
            row = int(np.argmax(np.isfinite(numeric.left[k][at])))  # the first probe that saw it
            left, right = numeric.left[k][(row,) + index], numeric.right[k][(row,) + index]
            kinks.append(Kink(input_name, index, float(left), float(right)))
    return failures, errors, kinks


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
    closed = _closed_form(backward, probes, output, cache, arrays, names, notes)
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
        blocks = _symbolic(report, derivation, arrays, names, output)
    else:
        notes.append("no derivation: backward checked against finite differences only")
    pattern = _pattern(closed, one_hot, blocks, backward, output, cache, arrays, names)
    legs = (closed, blocks, probes, names, arrays, one_hot, output)
    groups = None if pattern is None else column_groups(pattern)
    # a scalar loss has a dense row: groups of one element each, and in-place steps are cheaper
    if groups is None or 2 * len(groups) > pattern.shape[1]:
        found, errors, kinks = _verdicts(central_differences(f, arrays, probes, step, noise), *legs)
    else:
        projector = Projector(f, arrays, probes, step, noise)
        shapes = [a.shape for a in arrays]
        numeric, missing = grouped_differences(projector, pattern, shapes, groups, seed)
        found, errors, kinks = _verdicts(numeric, *legs)
        plural = "group of elements" if len(groups) == 1 else "groups of elements"
        report.method += f", {len(groups)} {plural} with disjoint outputs"
        if found or missing:
            # Groups trusted the backward's sparsity; with the backward in doubt, difference one
            # element at a time, so that the report names the wrong element and not a sibling.
            numeric = central_differences(f, arrays, probes, step, noise)
            found, errors, kinks = _verdicts(numeric, *legs)
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
    if name is None:  # a network from layers.sequential.compose is named by its layers
        stages = getattr(forward, "stages", None)
        name = "-".join(stage.name for stage in stages) if stages else "layer"
    report = _check(
        forward, backward, inputs, derivation,
        seed=seed, names=names, name=name, step=step, max_elementwise=max_elementwise,
    )  # fmt: skip
    if not report.passed and getattr(forward, "stages", None):
        # a network from layers.sequential.compose: name the layer where the error is made
        from gradcheck.network import first_wrong_stage  # network imports this module

        report.notes.append(first_wrong_stage(forward, backward, inputs, seed=seed, step=step))
    return report


def assert_gradients(*args: Any, **kwargs: Any) -> Report:
    """:func:`check`, raising ``AssertionError`` with the report's text when it fails."""
    report = check(*args, **kwargs)
    if not report.passed:
        raise AssertionError(str(report))
    return report
