"""The layer contract, enforced: run a layer's forward and backward defensively.

A layer that breaks the contract — raises, returns the wrong thing, mutates its arguments, is not
deterministic — is a finding, returned as a :class:`~gradcheck.report.Failure` naming the fix.
(Only a wrong call to ``check`` itself raises: :mod:`gradcheck.arguments`.)
"""

from __future__ import annotations

import copy
import functools
import inspect
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np

from gradcheck.report import Failure


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


def run_forward(
    forward: Callable, arrays: list[np.ndarray], names: list[str]
) -> tuple[np.ndarray, Any] | Failure:
    """Call forward twice on copies; the output, or the contract it broke."""
    # bound arrays are not copied per call, so a forward writing into them (a target, a mask)
    # would look non-deterministic; compare them with a snapshot instead
    bound = [(name, array, array.copy()) for name, array in bound_arrays(forward)]
    results = []
    for _ in range(2):
        copies = [a.copy() for a in arrays]
        try:
            result = forward(*copies)
        except Exception as error:
            return Failure("forward", f"forward raised {type(error).__name__}: {error}")
        if not isinstance(result, tuple) or len(result) != 2:
            return Failure(
                "forward",
                f"forward must return (output, cache); it returned {type(result).__name__}",
            )
        for name, before, after in zip(names, arrays, copies, strict=True):
            if not same(before, after):
                return Failure(
                    "forward", f"forward modified its input '{name}' in place; copy before writing"
                )
        for name, array, before in bound:
            if not same(array, before):
                np.copyto(array, before)  # the caller's array, as it was before the check
                return Failure(
                    "forward", f"forward modified its {name} in place; copy it before changing it"
                )
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
        return Failure("forward", f"forward's output must be a float array, got {got}")
    if not same(np.asarray(output), np.asarray(results[1][0])):
        where = _first_difference(np.asarray(output), np.asarray(results[1][0]))
        return Failure(
            "forward",
            f"forward is not a deterministic function of its inputs: two calls differ at y{where}; "
            "fix the seed, or pass the random mask as a keyword",
        )
    if not np.all(np.isfinite(output)):
        return Failure("forward", "forward's output is not finite (NaN or inf) at the sample")
    return np.asarray(output), results[0][1]


def run_backward(
    backward: Callable, probe: np.ndarray, cache: Any, arrays: list[np.ndarray], names: list[str]
) -> list[np.ndarray] | Failure:
    """One backward call on a probe, checked: one finite float gradient per input, no mutation."""
    cache_before = copy.deepcopy(cache)
    grad_output = probe.copy()
    try:
        grads = backward(grad_output, cache)
    except Exception as error:
        return Failure("backward", f"backward raised {type(error).__name__}: {error}")
    if not same(grad_output, probe):
        return Failure("backward", "backward modified grad_output in place; copy before writing")
    if not same(cache_before, cache):
        return Failure(
            "backward", "backward modified the cache in place; a second call would differ"
        )
    if not isinstance(grads, tuple | list):
        return Failure(
            "backward",
            f"backward must return a tuple with one gradient per input, got {type(grads).__name__}"
            + (" (return (dx,) for one input)" if isinstance(grads, np.ndarray) else ""),
        )
    if len(grads) != len(arrays):
        return Failure(
            "backward", f"backward returned {len(grads)} gradients for {len(arrays)} inputs {names}"
        )
    checked = []
    for k, (name, grad, array) in enumerate(zip(names, grads, arrays, strict=True)):
        grad = np.asarray(grad) if grad is not None else None
        if grad is None or grad.dtype.kind != "f":
            kind = "None" if grad is None else f"dtype {grad.dtype}"
            return Failure("backward", f"gradient {k} (for '{name}') is {kind}; it must be floats")
        if grad.shape != array.shape:
            hint = [n for n, a in zip(names, arrays, strict=True) if a.shape == grad.shape]
            also = (
                f"; that is the shape of {hint}: are the gradients in input order?" if hint else ""
            )
            return Failure(
                "backward",
                f"gradient {k} has shape {grad.shape} but input '{name}' has {array.shape}{also}",
            )
        if not np.all(np.isfinite(grad)):
            return Failure("backward", f"gradient for '{name}' is not finite (NaN or inf)")
        checked.append(grad)  # dtype kept: check() reports gradients less precise than float64
    return checked
