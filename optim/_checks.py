"""Argument checks and the copy-on-write bookkeeping shared by the optimizers.

An optimizer step is a pure function: it reads ``params``, ``grads`` and the previous
``state``, and returns new dicts holding new arrays.  The checks here turn every wrong call
into a ``ValueError`` that names the offending key and says how to fix the call, before any
arithmetic runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from gradcheck.arrays import real_array

State = dict[str, dict[str, Any]]


def check_hyper(name: str, value: float, *, below_one: bool = False) -> float:
    """``value`` as a Python float, after checking it is finite, >= 0 and, if asked, < 1.

    A Python float, not a NumPy scalar: NumPy promotes a float32 array times an ``np.float64``
    to float64, but keeps it float32 times a Python float, and the step must preserve dtype.
    """
    value = float(value)
    if not np.isfinite(value) or value < 0.0 or (below_one and value >= 1.0):
        interval = "[0, 1)" if below_one else "[0, inf)"
        raise ValueError(f"{name} must be in {interval}, got {value}")
    return value


def check_mapping(caller: str, what: str, value: Any) -> None:
    """Refuse anything but a dict-like ``name -> array``, naming the type that came instead."""
    if not isinstance(value, Mapping):
        raise ValueError(
            f"{caller}: {what} must be a dict name -> array, got {type(value).__name__}: "
            f"pass {{'weight': array, ...}}, keyed by the parameters' names"
        )


def real_arrays(caller: str, grads: Any) -> dict[str, np.ndarray]:
    """``grads`` as a dict of arrays, after checking each holds real (integer or floating)
    numbers: a None, a nested dict or a complex array would otherwise become NaN, an object
    array or a NumPy error deep inside the arithmetic."""
    check_mapping(caller, "grads", grads)
    arrays = {}
    for key, g in grads.items():
        if g is None:
            raise ValueError(
                f"{caller}: grads[{key!r}] is None: leave the key out for a parameter without "
                "a gradient (a frozen parameter, like p.grad is None in torch)"
            )
        a, found = real_array(g)
        if a is None:
            found = f"is {found}" if found.startswith("a ") else f"has {found.removeprefix('of ')}"
            raise ValueError(
                f"{caller}: grads[{key!r}] {found}, not an array of real numbers: pass each "
                "gradient as a float array"
            )
        arrays[key] = a
    return arrays


def check_step(
    optimizer: str, params: Mapping[str, Any], grads: Mapping[str, Any], state: Any
) -> tuple[dict[str, np.ndarray], State]:
    """Validate one step's inputs; return ``(grads cast to the params' dtypes, old state)``.

    Parameters without a gradient are legal (a frozen layer, like ``p.grad is None`` in
    torch): the step leaves them and their state alone.  A gradient without a parameter is a
    typo, so it is an error.
    """
    check_mapping(optimizer, "params", params)
    grads = real_arrays(optimizer, grads)
    for key, p in params.items():
        dtype = np.asarray(p).dtype
        if not np.issubdtype(dtype, np.floating):
            raise ValueError(
                f"{optimizer}: params[{key!r}] has dtype {dtype}; only floating arrays can be "
                f"updated: pass params[{key!r}].astype(np.float64)"
            )
    cast = {}
    for key, g in grads.items():
        if key not in params:
            raise ValueError(
                f"{optimizer}: grads[{key!r}] has no parameter params[{key!r}] "
                f"(params has {sorted(params)}): key the gradients by the parameters' names"
            )
        p = np.asarray(params[key])
        if g.shape != p.shape:
            raise ValueError(
                f"{optimizer}: grads[{key!r}] has shape {g.shape} but params[{key!r}] has "
                f"shape {p.shape}: pass the gradient of the loss with respect to "
                f"params[{key!r}], which has the parameter's shape"
            )
        cast[key] = g.astype(p.dtype, copy=False)
    if state is None:
        return cast, {}
    if not isinstance(state, Mapping):
        raise ValueError(
            f"{optimizer}: state must be None on the first step, then the state the previous "
            f"step returned; got {type(state).__name__}"
        )
    for key, entry in state.items():
        if key not in params or not isinstance(entry, Mapping):
            raise ValueError(
                f"{optimizer}: state[{key!r}] does not belong to these params "
                f"(params has {sorted(params)}): pass the state returned by the previous "
                f"{optimizer} step on the same params, or None to start afresh"
            )
    return cast, {key: dict(entry) for key, entry in state.items()}


def previous(
    optimizer: str,
    state: State,
    key: str,
    buffers: tuple[str, ...],
    like: np.ndarray,
    optional: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The previous state of one parameter, checked; zero buffers and step 0 if it has none.

    A state of the wrong kind (an SGD state handed to Adam, or ``amsgrad`` switched on halfway)
    misses a buffer or has a foreign one: that is an error rather than a silent restart.
    """
    if key not in state:
        return {"step": 0, **{name: np.zeros_like(like) for name in buffers}}
    entry = state[key]
    foreign = sorted(set(entry) - {"step", *buffers, *optional})
    if foreign:
        raise ValueError(
            f"{optimizer}: state[{key!r}] has {foreign}, which {optimizer} does not keep: pass "
            f"the state returned by the previous {optimizer} step, or None to start afresh"
        )
    if not isinstance(entry.get("step"), int | np.integer):
        raise ValueError(
            f"{optimizer}: state[{key!r}]['step'] should be the int count of steps taken, "
            f"found {entry.get('step')!r}: pass the state the previous {optimizer} step returned"
        )
    for name in buffers:
        buffer = entry.get(name)
        if buffer is None or np.shape(buffer) != like.shape:
            found = "none" if buffer is None else f"shape {np.shape(buffer)}"
            raise ValueError(
                f"{optimizer}: state[{key!r}][{name!r}] should be an array of shape "
                f"{like.shape}, found {found}: pass the state returned by the previous "
                f"{optimizer} step with the same hyperparameters, or None to start afresh"
            )
    return entry


def fresh(params: Mapping[str, Any], state: State) -> tuple[dict[str, np.ndarray], State]:
    """Copies of every parameter and state array, for the step to overwrite the updated ones.

    Everything returned is new, so a caller may modify the results in place without touching
    the arrays it passed in (or the other way round).
    """
    new_params = {key: np.array(p, copy=True) for key, p in params.items()}
    new_state = {
        key: {
            name: np.array(v, copy=True) if isinstance(v, np.ndarray) else v
            for name, v in entry.items()
        }
        for key, entry in state.items()
    }
    return new_params, new_state
