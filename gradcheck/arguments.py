"""``check``'s own arguments, validated: the layer's functions, its inputs, their names, options.

``check`` raises (``TypeError``/``ValueError``) only when it is called wrongly, saying how to call
it instead.  A layer that breaks the contract is a finding, not an error: :mod:`gradcheck.contract`.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from gradcheck.contract import input_names

FLOAT_KINDS = "f"
# Steps are relative to each input's spread.  Above a tenth of it, differences blur even a
# tanh: from 0.2 on a backward 1e-4 off passed, from 0.5 one off by 2x (every element a "kink").
MAX_STEP = 0.1


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
    __tracebackhide__ = True  # its messages say what to change; its frames do not
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
