"""The layer contract, enforced: run a layer's forward and backward defensively.

A layer that breaks the contract — raises, returns the wrong thing, mutates its arguments, is not
deterministic — is a finding, returned as a :class:`~gradcheck.report.Failure` naming the fix.
(Only a wrong call to ``check`` itself raises: :mod:`gradcheck.arguments`.)
"""

from __future__ import annotations

import functools
import inspect
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradcheck.report import Failure
from gradcheck.tolerance import exact_tolerance


def input_names(forward: Callable, count: int) -> list[str]:
    """The forward's positional parameter names, then ``params0, params1, ...`` after a
    ``*params``; ``input0, input1, ...`` where the signature says nothing."""
    try:
        parameters = list(inspect.signature(forward).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    positional = [
        p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    rest = next((p.name for p in parameters if p.kind is p.VAR_POSITIONAL), None)
    if rest is not None and len(positional) < count:
        positional += [f"{rest}{k}" for k in range(count - len(positional))]
    return positional[:count] if len(positional) >= count else [f"input{k}" for k in range(count)]


def same(a: Any, b: Any) -> bool:
    """Bitwise equality of nested arrays, tuples, lists and dicts (NaN equals NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if type(a) is type(b) and type(a).__eq__ is object.__eq__:
        # no == of its own (a plain class, a random Generator): compare what pickling keeps
        try:
            return pickle.dumps(a) == pickle.dumps(b)
        except Exception:
            return True  # cannot be compared, so not reported as changed
    try:
        return bool(a == b)
    except Exception:
        return a is b


def _first_difference(a: np.ndarray, b: np.ndarray) -> str:
    where = np.argwhere(a != b)
    return "[" + ",".join(map(str, where[0])) + "]" if len(where) else ""


def bound_arrays(forward: Callable) -> list[tuple[str, np.ndarray]]:
    """The arrays a ``functools.partial`` forward (or a partial inside one) has bound, named."""
    bound = []
    while isinstance(forward, functools.partial):
        names = input_names(forward.func, len(forward.args))
        for name, value in [*zip(names, forward.args, strict=True), *forward.keywords.items()]:
            if isinstance(value, np.ndarray):
                kind = "keyword argument" if name in forward.keywords else "bound argument"
                bound.append((f"{kind} '{name}'", value))
        forward = forward.func
    return bound


@dataclass
class Ran:
    """A forward run under its contract: its ``output`` and ``cache`` (``output`` None when
    nothing can be checked), every contract ``problems`` seen, the round-off by which two
    calls differ (``jitter``, per output), and whether it writes into its inputs
    (``mutates``: every later call must then get copies)."""

    output: np.ndarray | None
    cache: Any = None
    problems: list[Failure] = field(default_factory=list)
    jitter: np.ndarray | None = None
    mutates: bool = False


def run_forward(forward: Callable, arrays: list[np.ndarray], names: list[str]) -> Ran:
    """Call forward twice on copies; its output, and every contract it broke."""
    # bound arrays are not copied per call, so a forward writing into them (a target, a mask)
    # would look non-deterministic; compare them with a snapshot instead
    bound = [(name, array, array.copy()) for name, array in bound_arrays(forward)]
    results, problems, mutates = [], [], False
    for _ in range(2):
        copies = [a.copy() for a in arrays]
        try:
            result = forward(*copies)
        except Exception as error:
            return Ran(
                None,
                problems=[Failure("forward", f"forward raised {type(error).__name__}: {error}")],
            )
        if not isinstance(result, tuple) or len(result) != 2:
            message = f"forward must return (output, cache); it returned {type(result).__name__}"
            return Ran(None, problems=[Failure("forward", message)])
        for name, before, after in zip(names, arrays, copies, strict=True):
            if not same(before, after) and not mutates:
                mutates = True  # the check goes on, handing every call its own copies
                message = f"forward modified its input '{name}' in place; copy before writing"
                problems.append(Failure("forward", message))
        for name, array, before in bound:
            if not same(array, before):
                np.copyto(array, before)  # the caller's array, as it was before the check
                message = f"forward modified its {name} in place; copy it before changing it"
                return Ran(None, problems=[*problems, Failure("forward", message)])
        results.append(result)
    output = results[0][0]
    if (
        not isinstance(output, np.ndarray | np.generic | float)
        or np.asarray(output).dtype.kind != "f"
    ):
        got = type(output).__name__
        if isinstance(output, np.ndarray | np.generic):
            dtype = output.dtype.name
            got = f"{'an' if dtype[0] in 'aeio' else 'a'} {dtype} array; return floats"
        message = f"forward's output must be a float array, got {got}"
        return Ran(None, problems=[*problems, Failure("forward", message)])
    output, second = np.asarray(output), np.asarray(results[1][0])
    if not np.all(np.isfinite(output)):
        message = "forward's output is not finite (NaN or inf) at the sample"
        return Ran(None, problems=[*problems, Failure("forward", message)])
    if output.shape != second.shape or output.dtype != second.dtype:
        jitter = np.full(output.shape, np.inf)
    else:
        jitter = np.abs(output.astype(np.float64) - second.astype(np.float64))
    # a sum in varying order (threads, a GPU) differs by round-off, a new random mask by O(y)
    if np.any(jitter > exact_tolerance(np.abs(output.astype(np.float64)))):
        where = _first_difference(output, second) if np.isfinite(jitter).all() else ""
        message = (
            f"forward is not a deterministic function of its inputs: two calls differ at y{where}; "
            "fix the seed, or pass the random mask as a keyword"
        )
        return Ran(None, problems=[*problems, Failure("forward", message)])
    return Ran(output, results[0][1], problems, jitter, mutates)


def run_backward(
    backward: Callable, probe: np.ndarray, cache: Any, arrays: list[np.ndarray], names: list[str]
) -> tuple[list[np.ndarray] | None, list[Failure]]:
    """One backward call on a probe, checked: one finite float gradient per input.

    Returns the gradients (None when they cannot be compared) and every contract problem seen,
    so that a backward writing into ``grad_output`` is still judged on its gradients.  Writes
    into the cache are judged by their effect on later calls (:mod:`gradcheck.protocols`), not
    here: a memo or a call counter is harmless, and a cache may hold what cannot be copied.
    """
    grad_output = probe.copy()
    try:
        grads = backward(grad_output, cache)
    except Exception as error:
        return None, [Failure("backward", f"backward raised {type(error).__name__}: {error}")]
    problems = []
    if not same(grad_output, probe):
        message = "backward modified grad_output in place; copy before writing"
        problems.append(Failure("backward", message))
    if not isinstance(grads, tuple | list):
        message = (
            f"backward must return a tuple with one gradient per input, got {type(grads).__name__}"
            + (" (return (dx,) for one input)" if isinstance(grads, np.ndarray) else "")
        )
        return None, [*problems, Failure("backward", message)]
    if len(grads) != len(arrays):
        message = f"backward returned {len(grads)} gradients for {len(arrays)} inputs {names}"
        return None, [*problems, Failure("backward", message)]
    checked = []
    for k, (name, grad, array) in enumerate(zip(names, grads, arrays, strict=True)):
        grad = np.asarray(grad) if grad is not None else None
        if grad is None or grad.dtype.kind != "f":
            kind = "None" if grad is None else f"dtype {grad.dtype}"
            message = f"gradient {k} (for '{name}') is {kind}; it must be floats"
        elif grad.shape != array.shape:
            hint = [n for n, a in zip(names, arrays, strict=True) if a.shape == grad.shape]
            also = (
                f"; that is the shape of {hint}: are the gradients in input order?" if hint else ""
            )
            message = f"gradient {k} has shape {grad.shape} but input '{name}' has {array.shape}"
            message += also
        elif not np.all(np.isfinite(grad)):
            message = f"gradient for '{name}' is not finite (NaN or inf)"
        else:
            checked.append(grad)  # dtype kept: check() reports gradients less precise than float64
            continue
        problems.append(Failure("backward", message))
    return (checked if len(checked) == len(arrays) else None), problems
