"""The layer contract, enforced: validate a call to ``check`` and run a layer defensively.

``check`` raises (``TypeError``/``ValueError``) only when it is called wrongly.  A layer that
breaks the contract — raises, returns the wrong thing, mutates its arguments, is not
deterministic — is a finding, returned as a :class:`~gradcheck.report.Failure` naming the fix.
"""

from __future__ import annotations

import copy
import functools
import inspect
import numbers
import pickle
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from gradcheck.report import Failure

FLOAT_KINDS = "f"
# Steps are relative to each input's spread.  Above a tenth of it, differences blur even a
# tanh: from 0.2 on a backward 1e-4 off passed, from 0.5 one off by 2x (every element a "kink").
MAX_STEP = 0.1


def input_names(forward: Callable, count: int) -> list[str]:
    """The forward's positional parameter names, or ``input0, input1, ...``."""
    try:
        parameters = inspect.signature(forward).parameters.values()
    except (TypeError, ValueError):
        parameters = []
    positional = [
        p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return positional[:count] if len(positional) >= count else [f"input{k}" for k in range(count)]


def _validate_options(seed: Any, step: Any, max_elementwise: Any) -> None:
    """Raise unless seed and max_elementwise are integers >= 0 and 0 < step <= MAX_STEP."""
    for label, value, example in (("seed", seed, 0), ("max_elementwise", max_elementwise, 50_000)):
        how = f"check(forward, backward, [x], {label}={example})"
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{label} must be an integer, got {value!r}: {how}")
        if value < 0:
            raise ValueError(f"{label} must be >= 0, got {value}: {how}")
    how = "check(forward, backward, [x], step=1e-3), the default"
    if isinstance(step, bool) or not isinstance(step, numbers.Real):
        raise TypeError(f"step must be a number, got {type(step).__name__} {step!r}: {how}")
    if not 0 < step <= MAX_STEP:  # also false for NaN and inf
        raise ValueError(
            f"step must be finite with 0 < step <= {MAX_STEP}, got {step}: it is relative to "
            f"each input's spread, and larger steps blur a wrong gradient into a kink: {how}"
        )


def validate_call(
    forward: Any,
    backward: Any,
    inputs: Any,
    names: Sequence[str] | None,
    *,
    seed: Any = 0,
    step: Any = 1e-3,
    max_elementwise: Any = 0,
) -> tuple[list[np.ndarray], list[str], list[str]]:
    """Return float64 copies of the inputs, their names, and notes (such as float32 converted).

    Raises
    ------
    TypeError, ValueError
        Saying how to call ``check`` instead, for any argument it cannot use, including the
        keywords ``seed``, ``step`` and ``max_elementwise`` (their defaults here only pass).
    """
    _validate_options(seed, step, max_elementwise)
    for role, function in (("forward", forward), ("backward", backward)):
        if not callable(function):
            raise TypeError(
                f"{role} must be a function, got {type(function).__name__}; bind "
                "hyperparameters first: check(functools.partial(forward, axis=0), backward, [x])"
            )
    if isinstance(inputs, np.ndarray) or not isinstance(inputs, Sequence):
        raise TypeError(
            "inputs must be a list of arrays, one per differentiable input: check(f, b, [x, W])"
        )
    if len(inputs) == 0:
        raise ValueError("no inputs: pass at least one float array to differentiate")
    names = list(names) if names is not None else input_names(forward, len(inputs))
    if len(names) != len(inputs):
        raise ValueError(f"{len(names)} names given for {len(inputs)} inputs")
    arrays, notes = [], []
    for name, value in zip(names, inputs, strict=True):
        if not isinstance(value, np.ndarray | float | np.floating):
            raise TypeError(
                f"input '{name}' is a {type(value).__name__}; pass a float array: np.asarray(...)"
            )
        array = np.asarray(value)
        if array.dtype.kind != FLOAT_KINDS:
            raise ValueError(
                f"input '{name}' has dtype {array.dtype}; gradients need floats: pass "
                f"{name}.astype(float). Indices, targets and masks are not differentiated: bind "
                "them as keywords with functools.partial"
            )
        if array.size == 0:
            raise ValueError(f"input '{name}' is empty (shape {array.shape}): nothing to check")
        if not np.all(np.isfinite(array)):
            where = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
            raise ValueError(f"input '{name}' is not finite at {list(where)}: {array[where]}")
        if array.dtype != np.float64:
            notes.append(f"input '{name}' was {array.dtype}; checked in float64")
        # C order: finite differences perturb a flat view, which a Fortran array would copy
        arrays.append(np.array(array, dtype=np.float64, order="C"))  # keeps 0-d as 0-d
    return arrays, names, notes


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
