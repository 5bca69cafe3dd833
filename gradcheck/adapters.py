"""Adapters: layers written in other styles, checked by :func:`gradcheck.check` unchanged.

* :func:`from_object` — an object with ``forward(x)`` and ``backward(dy)`` methods that keeps
  its own cache and exposes its parameters and their gradients as attributes (``W``, ``dW``).
  The object's state is snapshotted when it is adapted and restored around every call
  (:mod:`gradcheck.snapshot`), so that checking it leaves it as it was.
* :func:`from_objects` — a list of such layer objects, composed into one network whose failure
  :func:`gradcheck.network.first_wrong_stage` localises.
* :func:`from_column_major` — a layer written for ``X`` of shape (features, batch), checked as
  if written for (batch, features): ``f_row(x) = f_col(xᵀ)ᵀ`` and ``∂L/∂x = (∂L/∂xᵀ)ᵀ``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradcheck.sequential import Stage, compose
from gradcheck.snapshot import State


@dataclass(frozen=True)
class ObjectStage(Stage):
    """A :class:`~gradcheck.sequential.Stage` adapted from an object; ``values`` are the object's
    parameters when it was adapted."""

    values: tuple[np.ndarray, ...] = ()


def _parameter(obj: Any, name: str) -> np.ndarray:
    """``obj.name`` as a float64 array, refused with the attribute named unless it holds real
    numbers (a dict of weights, a string or None would fail inside NumPy)."""
    value = getattr(obj, name)
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):  # a ragged list
        array = np.asarray(None)
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        found = f"of dtype {array.dtype}" if array.dtype != object else f"a {type(value).__name__}"
        raise TypeError(
            f"{type(obj).__name__}.{name} is {found}, not a real numeric array: params=(...) "
            "must name the attributes that hold the parameter arrays themselves"
        )
    return np.array(array, dtype=np.float64)


def object_stage(
    obj: Any,
    params: Sequence[str] = ("W", "b"),
    grads: Sequence[str] = ("dW", "db"),
    *,
    state: Sequence[str] | None = None,
    name: str | None = None,
) -> ObjectStage:
    """One layer object as a network stage (see :func:`from_object` for the arguments)."""
    kind = type(obj).__name__
    for method in ("forward", "backward"):
        if not callable(getattr(obj, method, None)):
            raise TypeError(f"{kind} has no {method}() method: adapt an object with both")
    params, grads = tuple(params), tuple(grads)
    if len(params) != len(grads):
        raise ValueError(f"{len(params)} params {params} but {len(grads)} grads {grads}")
    missing = [p for p in params if not hasattr(obj, p)]
    if missing:
        raise ValueError(
            f"{kind} has no attribute {missing[0]!r}; name its parameters with params=(...), "
            "or pass params=(), grads=() for a layer without any"
        )
    values = tuple(_parameter(obj, p) for p in params)
    saved = State(obj, state, [*params, *grads])
    snapshot = saved.save()

    def forward(x, *param_values):
        saved.restore(snapshot)
        try:
            for p, value in zip(params, param_values, strict=True):
                setattr(obj, p, np.array(value))
            y = np.array(obj.forward(np.array(x)))  # a copy: the object may write to its own
            return y, saved.save()
        finally:
            saved.restore(snapshot)

    def backward(grad_output, after_forward):
        saved.restore(after_forward)
        try:
            grad_x = obj.backward(np.array(grad_output))
            if grad_x is None:
                raise TypeError(f"{kind}.backward returned None; it must return ∂L/∂x")
            return (np.array(grad_x), *(np.array(getattr(obj, g)) for g in grads))
        finally:
            saved.restore(snapshot)

    inputs = ("x", *params)
    forward.__signature__ = inspect.Signature(
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_ONLY) for n in inputs]
    )
    return ObjectStage(name or kind, forward, backward, inputs, values)


def from_object(
    obj: Any,
    x: np.ndarray,
    params: Sequence[str] = ("W", "b"),
    grads: Sequence[str] = ("dW", "db"),
    *,
    state: Sequence[str] | None = None,
) -> tuple[Callable, Callable, list[np.ndarray]]:
    """``(forward, backward, inputs)`` for ``check`` from a layer object that keeps its cache.

    Parameters
    ----------
    obj : object
        With ``obj.forward(x) -> y`` and ``obj.backward(dy) -> dx``, the backward leaving
        ``∂L/∂θ`` in attributes.
    x : ndarray
        The input to check at.
    params, grads : sequences of attribute names
        The parameters, differentiated as inputs after ``x``, and the attributes holding
        their gradients after ``backward``, pairwise.
    state : sequence of attribute names, optional
        What to snapshot and restore; default every attribute (a deep copy of ``__dict__``).
        A list must name every attribute forward writes (caches, running statistics).

    Returns
    -------
    forward, backward : obeying the layer contract
    inputs : ``[x, *parameters]``, the object's current parameters
    """
    stage = object_stage(obj, params, grads, state=state)
    return stage.forward, stage.backward, [np.asarray(x), *stage.values]


def from_objects(
    x: np.ndarray,
    *objects: Any,
    params: Sequence[str] = ("W", "b"),
    grads: Sequence[str] = ("dW", "db"),
) -> tuple[Callable, Callable, list[np.ndarray]]:
    """A network of layer objects (``Dense, ReLU, Dense, MSE``) as ``(forward, backward,
    inputs)``, composed so that ``first_wrong_stage`` can name the wrong layer.

    Each object's parameters are the names in ``params`` it has (a ReLU has none), paired with
    ``grads``; pass an :func:`object_stage` instead of an object to name them explicitly.
    """
    stages = []
    for obj in objects:
        if not isinstance(obj, ObjectStage):
            pairs = [(p, g) for p, g in zip(params, grads, strict=True) if hasattr(obj, p)]
            obj = object_stage(obj, [p for p, _ in pairs], [g for _, g in pairs])
        stages.append(obj)
    forward, backward = compose(*stages)
    return forward, backward, [np.asarray(x), *(v for s in stages for v in s.values)]


def _flip(a: Any) -> Any:
    """Swap (features, batch) and (batch, features); arrays of other ranks pass unchanged."""
    a = np.asarray(a)
    return a.T if a.ndim == 2 else a


def from_column_major(forward: Callable, backward: Callable) -> tuple[Callable, Callable]:
    """A layer written for ``X`` of shape (features, batch), as ``(forward, backward)`` for
    ``x`` of shape (batch, features): x, y and their gradients are transposed, parameters not.

    Outputs that are not 2-D (a scalar loss) pass unchanged.
    """

    def row_forward(x, *params, **hyper):
        x = np.asarray(x)
        if x.ndim != 2:
            raise ValueError(
                f"column-major adapter needs x of shape (batch, features), got {x.shape}"
            )
        y, cache = forward(x.T, *params, **hyper)
        return _flip(y), cache

    def row_backward(grad_output, cache):
        grads = backward(_flip(grad_output), cache)
        if not isinstance(grads, tuple | list) or not grads:
            return grads  # not a tuple of gradients: check() reports the broken contract
        return (_flip(grads[0]), *grads[1:])

    try:  # the column-major layer's own input names (X, W, b) name the report's elements
        row_forward.__signature__ = inspect.signature(forward)
    except (TypeError, ValueError):
        pass
    return row_forward, row_backward
