"""The three-way check: closed form (backward), symbolic (SymPy) and numeric (finite differences).

Every leg computes ``v·∂y/∂x`` for the same output probes ``v``: one-hot probes (the whole
Jacobian, entry by entry) when the output is small, random Gaussian probes otherwise.

Tolerances:
* backward vs symbolic: both exact formulas, so they must agree to round-off,
  ``|a - s| <= 1e-10 · (|v|·|J|)`` element-wise — far below finite-difference resolution;
* each vs numeric: within the finite-difference error budget of :mod:`gradcheck.numeric`.

Blame follows the odd one out: the leg that disagrees with the two that agree.  When backward
and symbolic agree exactly but numeric does not, the sample defeats finite differences (blame
``numeric``); the derivation's forward is compared with the layer's first, so that case cannot
hide a derivation of the wrong function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np

from gradcheck.contract import run_backward, run_forward, validate_call
from gradcheck.numeric import central_differences
from gradcheck.proof import prove
from gradcheck.report import Failure, Kink, Report
from gradcheck.symbolic import SymbolicLeg

EXACT_RTOL = 1e-10
BLOCK_FLOOR = 1e-3
MAX_ONE_HOT_OUTPUTS = 256
RANDOM_PROBES = 3


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


def _symbolic(derivation, arrays, names, output) -> tuple[list[np.ndarray] | None, list[Failure]]:
    """The symbolic Jacobian blocks at the sample, and any failure of the derivation itself."""
    shapes = [a.shape for a in arrays]
    try:
        value, blocks = SymbolicLeg(derivation.expressions, shapes)(arrays)
    except Exception as error:
        message = f"derivation's expressions() failed: {type(error).__name__}: {error}"
        if "ufunc" in str(error) or "object arrays" in str(error):
            message += " (use SymPy functions such as sympy.exp, not NumPy's, on symbols)"
        return None, [Failure("derivation", message)]
    if value.shape != output.shape:
        message = f"derivation's output has shape {value.shape}, the layer's {output.shape}"
        return None, [Failure("derivation", message)]
    gap = np.abs(value - output)
    if np.any(gap > 1e-9 * (np.abs(output) + np.abs(output).max() + 1e-300)):
        where = tuple(int(i) for i in np.unravel_index(np.argmax(gap), gap.shape))
        message = (
            f"derivation's forward differs from the layer's at y{list(where)}: "
            f"{value[where]:.10g} vs {output[where]:.10g}; they describe different functions"
        )
        return None, [Failure("derivation", message)]
    failures = []
    if getattr(derivation, "jacobian", None) is not None:
        try:
            disproofs = prove(derivation.expressions, derivation.jacobian, shapes)
        except Exception as error:
            disproofs = []
            failures.append(
                Failure("derivation", f"jacobian() failed: {type(error).__name__}: {error}")
            )
        for d in disproofs[:1]:
            failures.append(
                Failure(
                    "derivation",
                    f"closed index form ∂y{list(d.output_index)}/∂{names[d.input]}"
                    f"{list(d.input_index)} = {d.closed} is not SymPy's derivative {d.sympy}"
                    f" ({len(disproofs)} such entries)",
                )
            )
    return blocks, failures


def _compare(name, a, s, n, budget, scale, kink, one_hot, out_shape) -> tuple[list[Failure], dict]:
    """Element-wise verdicts for one input; arrays are ``(probes, *input.shape)``."""
    # Backward formulas share row-level sums (softmax's Σ g·y), so round-off follows the block's
    # largest entries too: an entry of 1e-7 in a row of 0.25 carries ~1e-17 of absolute error.
    # The symbolic leg has 40 digits: 1e-30 is far above its noise and far below float64's.
    exact_tol = EXACT_RTOL * (scale + BLOCK_FLOOR * scale.max()) + 1e-30
    usable = ~np.broadcast_to(kink, a.shape)
    a_off_n = usable & (np.abs(a - n) > budget + exact_tol)
    s_off_n = usable & (np.abs(s - n) > budget + exact_tol) if s is not None else None
    a_off_s = np.abs(a - s) > exact_tol if s is not None else None
    if s is None:
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
                numeric=None if not usable[position] else float(n[position]),
                abs_error=gap,
                rel_error=gap / (abs(float(reference[position])) + float(typical)),
                budget=float(allowed),
            )
        )
    return failures, errors


def check(
    forward: Callable,
    backward: Callable,
    inputs: Sequence[np.ndarray],
    derivation: Any = None,
    *,
    seed: int = 0,
    names: Sequence[str] | None = None,
    name: str = "layer",
    step: float = 1e-3,
) -> Report:
    """Check ``backward`` against SymPy (when ``derivation`` is given) and finite differences.

    ``forward(*inputs) -> (output, cache)`` and ``backward(grad_output, cache) -> grads`` follow
    the layer contract; bind hyperparameters with ``functools.partial`` (and a derivation module
    with :func:`bind`).  Returns a :class:`Report`; raises only when called wrongly.
    """
    derivation = _as_derivation(derivation)
    arrays, names, notes = validate_call(forward, backward, inputs, names)
    report = Report(name=name, notes=notes)
    ran = run_forward(forward, arrays, names)
    if isinstance(ran, Failure):
        report.failures.append(ran)
        return report
    output, cache = ran
    m = output.size
    one_hot = m <= MAX_ONE_HOT_OUTPUTS
    rng = np.random.default_rng(seed)
    probes = np.eye(m) if one_hot else rng.standard_normal((RANDOM_PROBES, m))
    report.method = "one-hot probes" if one_hot else f"{RANDOM_PROBES} random output probes"
    closed = [np.empty((len(probes),) + a.shape) for a in arrays]
    for p, probe in enumerate(probes):
        grads = run_backward(backward, probe.reshape(output.shape), cache, arrays, names)
        if isinstance(grads, Failure):
            report.failures.append(grads)
            return report
        for block, grad in zip(closed, grads, strict=True):
            block[p] = grad

    blocks, failures = (
        (None, []) if derivation is None else _symbolic(derivation, arrays, names, output)
    )
    report.failures += failures

    def f(xs: list[np.ndarray]) -> np.ndarray:
        return np.asarray(forward(*xs)[0], dtype=np.float64).reshape(-1)

    numeric = central_differences(f, arrays, probes, step=step)
    for k, (input_name, a) in enumerate(zip(names, closed, strict=True)):
        s = None
        if blocks is not None:
            jac = blocks[k].reshape(m, -1)
            s = (probes @ jac).reshape(a.shape)
            scale = (np.abs(probes) @ np.abs(jac)).reshape(a.shape)
        else:
            scale = np.abs(a) + np.abs(numeric.value[k])
        found, errors = _compare(
            input_name,
            a,
            s,
            numeric.value[k],
            numeric.budget[k],
            scale,
            numeric.kink[k],
            one_hot,
            output.shape,
        )
        report.failures += found
        for pair, value in errors.items():
            report.errors[pair] = max(report.errors.get(pair, 0.0), value)
        for position in np.argwhere(numeric.kink[k]):  # argwhere, unlike nonzero, takes 0-d
            index = tuple(int(i) for i in position)
            report.kinks.append(
                Kink(
                    input_name,
                    index,
                    float(numeric.left[k][index]),
                    float(numeric.right[k][index]),
                )
            )
        report.elements += a.size
    report.failures.sort(key=lambda f: (f.index is not None, -f.abs_error / (f.budget + 1e-300)))
    if derivation is None:
        notes.append("no derivation: backward checked against finite differences only")
    return report


def assert_gradients(*args: Any, **kwargs: Any) -> Report:
    """:func:`check`, raising ``AssertionError`` with the report's text when it fails."""
    report = check(*args, **kwargs)
    if not report.passed:
        raise AssertionError(str(report))
    return report
